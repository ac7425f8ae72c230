//! STATUS (RFC 9051 §6.3.11).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn status_counts_messages_and_unseen_without_selecting() {
    let imap = Imap::with_mail().await;
    let snap = imap.snapshot("INBOX").await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED)")
        .await
        .ok_with("STATUS completed")
        .has(&format!(
            "STATUS \"INBOX\" (MESSAGES 3 UIDNEXT {} UIDVALIDITY {} UNSEEN 3 DELETED 0)",
            snap.uid_next, snap.uid_validity
        ));
}

#[tokio::test]
async fn status_of_a_missing_mailbox_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("STATUS Nowhere (MESSAGES)")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn status_with_an_unknown_item_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    assert!(
        conn.cmd("STATUS INBOX (COLOUR)")
            .await
            .status
            .starts_with("BAD ")
    );
}

#[tokio::test]
async fn status_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("STATUS INBOX (MESSAGES)")
        .await
        .bad_with("STATUS log in first");
}
