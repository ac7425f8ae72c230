//! DELE (RFC 1939 §5): marks only; QUIT removes (the UPDATE state, §6).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::{Pop3, SECOND};

#[tokio::test]
async fn dele_marks_and_quit_removes_the_message() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("DELE 1").await, "+OK message 1 deleted");
    // Only marked so far.
    assert_eq!(pop3.bed.inbox(pop3.bed.alice).await.len(), 2);
    assert_eq!(conn.cmd("QUIT").await, "+OK 1 messages deleted, bye");
    let inbox = pop3.bed.inbox(pop3.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].contains(&format!("Subject: {SECOND}")));
}

#[tokio::test]
async fn dele_without_quit_deletes_nothing() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("DELE 1").await, "+OK message 1 deleted");
    drop(conn);
    // RFC 1939 §6: a connection that ends without QUIT does not enter UPDATE. The maildrop
    // is free again once the session has ended: poll the lock instead of sleeping.
    let mut conn = loop {
        let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
        conn.cmd(&format!("USER {ALICE}")).await;
        let pass = conn.cmd(&format!("PASS {}", testbed::PASSWORD)).await;
        if pass.starts_with("+OK") {
            break conn;
        }
        assert!(pass.starts_with("-ERR [IN-USE]"), "{pass}");
        tokio::task::yield_now().await;
    };
    assert!(conn.cmd("STAT").await.starts_with("+OK 2 "));
}

#[tokio::test]
async fn dele_twice_or_of_a_missing_message_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    conn.cmd("DELE 1").await;
    assert_eq!(conn.cmd("DELE 1").await, "-ERR message 1 already deleted");
    assert_eq!(conn.cmd("DELE 3").await, "-ERR no such message");
    assert_eq!(
        conn.cmd("DELE one").await,
        "-ERR syntax error: not a number"
    );
}

#[tokio::test]
async fn dele_before_login_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("DELE 1").await, "-ERR log in first");
}
