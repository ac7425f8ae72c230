//! QUIT (RFC 1939 §4, §6).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn quit_before_login_says_bye_and_closes() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("QUIT").await, "+OK bye");
    assert!(conn.closed().await);
}

#[tokio::test]
async fn quit_after_login_releases_the_maildrop() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("QUIT").await, "+OK bye");
    assert!(conn.closed().await);
    // The lock went with the session's state before the reply: a new login gets in at once.
    let mut again = pop3.login(ALICE).await;
    assert!(again.cmd("STAT").await.starts_with("+OK 2 "));
}

#[tokio::test]
async fn quit_with_an_argument_is_a_syntax_error_and_deletes_nothing() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    conn.cmd("DELE 1").await;
    assert_eq!(
        conn.cmd("QUIT now").await,
        "-ERR syntax error: this command takes no arguments"
    );
    assert_eq!(pop3.bed.inbox(pop3.bed.alice).await.len(), 2);
}
