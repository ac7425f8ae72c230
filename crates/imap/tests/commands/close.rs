//! CLOSE (RFC 9051 §6.4.1): expunges silently and leaves the selected state.

use testbed::ALICE;

use crate::Imap;

#[tokio::test]
async fn close_expunges_deleted_messages_silently() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    let done = conn.cmd("CLOSE").await;
    done.ok_with("CLOSE completed");
    assert!(done.untagged.is_empty(), "{done:?}");
    assert_eq!(imap.count("INBOX").await, 2);
    conn.cmd("FETCH 1 FLAGS")
        .await
        .bad_with("FETCH select a mailbox first");
}

#[tokio::test]
async fn close_of_an_examined_mailbox_expunges_nothing() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    conn.cmd("EXAMINE INBOX").await;
    conn.cmd("CLOSE").await.ok_with("CLOSE completed");
    assert_eq!(imap.count("INBOX").await, 3);
}

#[tokio::test]
async fn close_without_a_selected_mailbox_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CLOSE")
        .await
        .bad_with("CLOSE select a mailbox first");
}
