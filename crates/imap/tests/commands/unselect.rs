//! UNSELECT (RFC 3691): leaves the selected state without expunging.

use crate::{Imap, Setup};

#[tokio::test]
async fn unselect_leaves_deleted_messages_in_place() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    conn.ok("UNSELECT", "UNSELECT completed").await;
    assert_eq!(imap.count("INBOX").await, 3);
    conn.bad("EXPUNGE", "EXPUNGE select a mailbox first").await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "unselect without a selected mailbox is bad",
        "UNSELECT",
        "BAD UNSELECT select a mailbox first",
    ),
}
