//! STATUS (RFC 9051 §6.3.11).

use testbed::ALICE;

use crate::Imap;

#[tokio::test]
async fn status_counts_messages_and_unseen_without_selecting() {
    let imap = Imap::with_mail().await;
    let snap = imap.snapshot("INBOX").await;
    let mut conn = imap.login(ALICE).await;
    conn.ok(
        "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED)",
        "STATUS completed",
    )
    .await
    .has(&format!(
        "STATUS \"INBOX\" (MESSAGES 3 UIDNEXT {} UIDVALIDITY {} UNSEEN 3 DELETED 0)",
        snap.uid_next, snap.uid_validity
    ));
}

#[tokio::test]
async fn status_of_a_missing_mailbox_is_no_nonexistent() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no("STATUS Nowhere (MESSAGES)", "[NONEXISTENT] no such mailbox")
        .await;
}

#[tokio::test]
async fn status_with_an_unknown_item_is_bad() {
    let (_imap, mut conn) = Imap::alice().await;
    assert!(
        conn.cmd("STATUS INBOX (COLOUR)")
            .await
            .status
            .starts_with("BAD ")
    );
}

#[tokio::test]
async fn status_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad("STATUS INBOX (MESSAGES)", "STATUS log in first")
        .await;
}
