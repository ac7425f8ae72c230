//! UIDL (RFC 1939 §7): `{uidvalidity:x}.{uid}`, stable across sessions.

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn uidl_names_each_message_by_uidvalidity_and_uid() {
    let pop3 = Pop3::with_mail().await;
    let drop = pop3
        .bed
        .store
        .maildrop(pop3.bed.alice)
        .await
        .expect("maildrop");
    let ids: Vec<String> = drop
        .messages
        .iter()
        .map(|m| format!("{:x}.{}", drop.uid_validity, m.uid))
        .collect();
    let mut conn = pop3.login(ALICE).await;
    let (status, lines) = conn.multi("UIDL").await;
    assert!(status.starts_with("+OK 2 messages"), "{status}");
    assert_eq!(lines, [format!("1 {}", ids[0]), format!("2 {}", ids[1])]);
    assert_eq!(conn.cmd("UIDL 2").await, format!("+OK 2 {}", ids[1]));
}

#[tokio::test]
async fn uidl_stays_the_same_after_an_earlier_message_is_deleted() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    let before = conn.cmd("UIDL 2").await;
    conn.cmd("DELE 1").await;
    assert_eq!(conn.cmd("QUIT").await, "+OK 1 messages deleted, bye");
    let mut conn = pop3.login(ALICE).await;
    let after = conn.cmd("UIDL 1").await;
    assert_eq!(
        before.replacen("+OK 2 ", "", 1),
        after.replacen("+OK 1 ", "", 1)
    );
}

#[tokio::test]
async fn uidl_of_a_message_that_does_not_exist_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("UIDL 5").await, "-ERR no such message");
    assert_eq!(
        conn.cmd("UIDL 1 2").await,
        "-ERR syntax error: at most one message number"
    );
}

#[tokio::test]
async fn uidl_before_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("UIDL").await, "-ERR log in first");
}
