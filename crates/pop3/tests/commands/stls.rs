//! STLS (RFC 2595 §4).

use testbed::{ALICE, PASSWORD};

use crate::Pop3;

#[tokio::test]
async fn stls_upgrades_and_then_a_remote_client_may_log_in() {
    let (_pop3, mut conn) = Pop3::remote().await;
    conn.expect("STLS", "+OK Begin TLS negotiation").await;
    conn.client.start_tls().await;
    let (_, capa) = conn.multi("CAPA").await;
    assert!(capa.contains(&"USER".to_string()), "{capa:?}");
    assert!(!capa.contains(&"STLS".to_string()), "{capa:?}");
    conn.expect(&format!("USER {ALICE}"), "+OK send PASS").await;
    conn.expect_start(&format!("PASS {PASSWORD}"), "+OK maildrop has 0")
        .await;
}

#[tokio::test]
async fn commands_pipelined_behind_stls_are_discarded() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.client
        .send_raw(format!("STLS\r\nUSER {ALICE}\r\n").as_bytes())
        .await;
    assert_eq!(conn.client.line().await, "+OK Begin TLS negotiation");
    conn.client.start_tls().await;
    // The USER sent in the clear was thrown away, so PASS has no user.
    conn.expect(&format!("PASS {PASSWORD}"), "-ERR send USER first")
        .await;
}

#[tokio::test]
async fn stls_inside_tls_is_refused() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.cmd("STLS").await;
    conn.client.start_tls().await;
    conn.expect("STLS", "-ERR TLS is already active").await;
}

#[tokio::test]
async fn stls_after_login_is_refused() {
    let (_pop3, mut conn) = Pop3::alice().await;
    conn.expect("STLS", "-ERR not allowed after login").await;
    assert!(!conn.client.is_tls());
}
