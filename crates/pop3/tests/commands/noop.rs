//! NOOP (RFC 1939 §5).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn noop_after_login_answers_ok() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("NOOP").await, "+OK");
}

#[tokio::test]
async fn noop_before_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("NOOP").await, "-ERR log in first");
}

#[tokio::test]
async fn noop_with_an_argument_is_a_syntax_error() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(
        conn.cmd("NOOP now").await,
        "-ERR syntax error: this command takes no arguments"
    );
}
