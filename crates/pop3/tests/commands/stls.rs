//! STLS (RFC 2595 §4).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK, PASSWORD, REMOTE};

use crate::Pop3;

#[tokio::test]
async fn stls_upgrades_and_then_a_remote_client_may_log_in() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, REMOTE).await;
    assert_eq!(conn.cmd("STLS").await, "+OK Begin TLS negotiation");
    conn.client.start_tls().await;
    let (_, capa) = conn.multi("CAPA").await;
    assert!(capa.contains(&"USER".to_string()), "{capa:?}");
    assert!(!capa.contains(&"STLS".to_string()), "{capa:?}");
    assert_eq!(conn.cmd(&format!("USER {ALICE}")).await, "+OK send PASS");
    assert!(
        conn.cmd(&format!("PASS {PASSWORD}"))
            .await
            .starts_with("+OK maildrop has 0")
    );
}

#[tokio::test]
async fn commands_pipelined_behind_stls_are_discarded() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.client
        .send_raw(format!("STLS\r\nUSER {ALICE}\r\n").as_bytes())
        .await;
    assert_eq!(conn.client.line().await, "+OK Begin TLS negotiation");
    conn.client.start_tls().await;
    // The USER sent in the clear was thrown away, so PASS has no user.
    assert_eq!(
        conn.cmd(&format!("PASS {PASSWORD}")).await,
        "-ERR send USER first"
    );
}

#[tokio::test]
async fn stls_inside_tls_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.cmd("STLS").await;
    conn.client.start_tls().await;
    assert_eq!(conn.cmd("STLS").await, "-ERR TLS is already active");
}

#[tokio::test]
async fn stls_after_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("STLS").await, "-ERR not allowed after login");
    assert!(!conn.client.is_tls());
}
