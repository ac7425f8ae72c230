//! NOOP (RFC 1939 §5).

use crate::Pop3;

#[tokio::test]
async fn noop_after_login_answers_ok() {
    let (_pop3, mut conn) = Pop3::alice().await;
    conn.expect("NOOP", "+OK").await;
}

#[tokio::test]
async fn noop_before_login_is_refused() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect("NOOP", "-ERR log in first").await;
}

#[tokio::test]
async fn noop_with_an_argument_is_a_syntax_error() {
    let (_pop3, mut conn) = Pop3::alice().await;
    conn.expect(
        "NOOP now",
        "-ERR syntax error: this command takes no arguments",
    )
    .await;
}
