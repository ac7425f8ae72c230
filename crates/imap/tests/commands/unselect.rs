//! UNSELECT (RFC 3691): leaves the selected state without expunging.

use crate::Imap;

#[tokio::test]
async fn unselect_leaves_deleted_messages_in_place() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    conn.ok("UNSELECT", "UNSELECT completed").await;
    assert_eq!(imap.count("INBOX").await, 3);
    conn.bad("EXPUNGE", "EXPUNGE select a mailbox first").await;
}

#[tokio::test]
async fn unselect_without_a_selected_mailbox_is_bad() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.bad("UNSELECT", "UNSELECT select a mailbox first")
        .await;
}
