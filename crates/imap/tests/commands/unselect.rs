//! UNSELECT (RFC 3691): leaves the selected state without expunging.

use testbed::ALICE;

use crate::Imap;

#[tokio::test]
async fn unselect_leaves_deleted_messages_in_place() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    conn.cmd("UNSELECT").await.ok_with("UNSELECT completed");
    assert_eq!(imap.count("INBOX").await, 3);
    conn.cmd("EXPUNGE")
        .await
        .bad_with("EXPUNGE select a mailbox first");
}

#[tokio::test]
async fn unselect_without_a_selected_mailbox_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("UNSELECT")
        .await
        .bad_with("UNSELECT select a mailbox first");
}
