//! RETR (RFC 1939 §5): the stored message, byte-exact, dot-stuffed on the wire.

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn retr_sends_the_stored_message_byte_for_byte() {
    let pop3 = Pop3::with_mail().await;
    let stored = pop3.bed.inbox(pop3.bed.alice).await;
    let mut conn = pop3.login(ALICE).await;
    let (status, lines) = conn.multi("RETR 1").await;
    assert_eq!(status, format!("+OK {} octets", stored[0].len()));
    assert_eq!(format!("{}\r\n", lines.join("\r\n")), stored[0]);
    assert!(lines.contains(&".leading dot".to_string()), "{lines:?}");
}

#[tokio::test]
async fn retr_stuffs_a_line_that_starts_with_a_dot() {
    let (_pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.client.send("RETR 1").await;
    let mut raw = Vec::new();
    loop {
        let line = conn.client.line().await;
        if line == "." {
            break;
        }
        raw.push(line);
    }
    assert!(raw.contains(&"..leading dot".to_string()), "{raw:?}");
}

#[tokio::test]
async fn retr_of_a_deleted_or_missing_message_is_refused() {
    let (_pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.cmd("DELE 2").await;
    conn.expect("RETR 2", "-ERR message 2 already deleted")
        .await;
    conn.expect("RETR 3", "-ERR no such message").await;
    conn.expect("RETR", "-ERR syntax error: one message number")
        .await;
}

#[tokio::test]
async fn retr_before_login_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.expect("RETR 1", "-ERR log in first").await;
}

#[tokio::test]
async fn retr_of_a_message_another_session_deleted_is_refused() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    // An IMAP client expunges message 2 while the POP3 session holds its snapshot.
    let drop = pop3
        .bed
        .store
        .maildrop(pop3.bed.alice)
        .await
        .expect("maildrop");
    pop3.bed
        .store
        .delete_messages(pop3.bed.alice, drop.mailbox, vec![drop.messages[1].uid])
        .await
        .expect("delete");
    conn.expect("RETR 2", "-ERR message was deleted by another session")
        .await;
    // The other message is still there.
    conn.expect_start("RETR 1", "+OK ").await;
}
