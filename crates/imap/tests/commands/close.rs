//! CLOSE (RFC 9051 §6.4.1): expunges silently and leaves the selected state.

use crate::{Imap, Setup};

#[tokio::test]
async fn close_expunges_deleted_messages_silently() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    let done = conn.cmd("CLOSE").await;
    done.ok_with("CLOSE completed");
    assert!(done.untagged.is_empty(), "{done:?}");
    assert_eq!(imap.count("INBOX").await, 2);
    conn.bad("FETCH 1 FLAGS", "FETCH select a mailbox first")
        .await;
}

#[tokio::test]
async fn close_of_an_examined_mailbox_expunges_nothing() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    conn.cmd("EXAMINE INBOX").await;
    conn.ok("CLOSE", "CLOSE completed").await;
    assert_eq!(imap.count("INBOX").await, 3);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "close without a selected mailbox is bad",
        "CLOSE",
        "BAD CLOSE select a mailbox first",
    ),
}
