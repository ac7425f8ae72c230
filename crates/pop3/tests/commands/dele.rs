//! DELE (RFC 1939 §5): marks only; QUIT removes (the UPDATE state, §6).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::{Pop3, SECOND};

#[tokio::test]
async fn dele_marks_and_quit_removes_the_message() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.expect("DELE 1", "+OK message 1 deleted").await;
    // Only marked so far.
    assert_eq!(pop3.bed.inbox(pop3.bed.alice).await.len(), 2);
    conn.expect("QUIT", "+OK 1 messages deleted, bye").await;
    let inbox = pop3.bed.inbox(pop3.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].contains(&format!("Subject: {SECOND}")));
}

#[tokio::test]
async fn dele_without_quit_deletes_nothing() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.expect("DELE 1", "+OK message 1 deleted").await;
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
    conn.expect_start("STAT", "+OK 2 ").await;
}

#[tokio::test]
async fn dele_twice_or_of_a_missing_message_is_refused() {
    let (_pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.cmd("DELE 1").await;
    conn.expect("DELE 1", "-ERR message 1 already deleted")
        .await;
    conn.expect("DELE 3", "-ERR no such message").await;
    conn.expect("DELE one", "-ERR syntax error: not a number")
        .await;
}

#[tokio::test]
async fn dele_before_login_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.expect("DELE 1", "-ERR log in first").await;
}
