//! STAT (RFC 1939 §5).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn stat_counts_messages_and_octets_without_the_deleted() {
    let pop3 = Pop3::with_mail().await;
    let sizes = pop3.sizes().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(
        conn.cmd("STAT").await,
        format!("+OK 2 {}", sizes[0] + sizes[1])
    );
    conn.cmd("DELE 1").await;
    assert_eq!(conn.cmd("STAT").await, format!("+OK 1 {}", sizes[1]));
}

#[tokio::test]
async fn stat_before_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("STAT").await, "-ERR log in first");
}

#[tokio::test]
async fn stat_with_an_argument_is_a_syntax_error() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(
        conn.cmd("STAT 1").await,
        "-ERR syntax error: this command takes no arguments"
    );
}
