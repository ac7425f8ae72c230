//! USER (RFC 1939 §7).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK, REMOTE};

use crate::Pop3;

#[tokio::test]
async fn user_from_loopback_asks_for_the_password() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd(&format!("USER {ALICE}")).await, "+OK send PASS");
}

#[tokio::test]
async fn user_of_an_unknown_name_does_not_tell_it_is_unknown() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    // RFC 1939 §13: PASS decides.
    assert_eq!(conn.cmd("USER nobody@example.com").await, "+OK send PASS");
}

#[tokio::test]
async fn user_without_tls_from_a_remote_address_is_refused_auth() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, REMOTE).await;
    assert_eq!(
        conn.cmd(&format!("USER {ALICE}")).await,
        "-ERR [AUTH] plaintext login is not allowed without TLS; use STLS first"
    );
}

#[tokio::test]
async fn user_without_a_name_is_a_syntax_error() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(
        conn.cmd("USER").await,
        "-ERR syntax error: USER needs one name"
    );
}

#[tokio::test]
async fn user_after_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(
        conn.cmd(&format!("USER {ALICE}")).await,
        "-ERR not allowed after login"
    );
}
