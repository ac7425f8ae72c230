//! SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).

use crate::{Imap, Setup};

#[tokio::test]
async fn subscribe_and_unsubscribe_change_what_lsub_lists() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.cmd("CREATE Lists").await;
    conn.ok("SUBSCRIBE Lists", "SUBSCRIBE completed").await;
    conn.cmd("LSUB \"\" Lists")
        .await
        .has("LSUB (\\HasNoChildren) \"/\" \"Lists\"");
    conn.ok("UNSUBSCRIBE Lists", "UNSUBSCRIBE completed").await;
    let done = conn.cmd("LSUB \"\" Lists").await;
    assert!(done.untagged.is_empty(), "{done:?}");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "subscribe to a missing mailbox is no nonexistent",
        "SUBSCRIBE Nowhere",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Alice,
        "subscribe to a missing mailbox is no nonexistent",
        "UNSUBSCRIBE Nowhere",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Anonymous,
        "subscribe before login is bad",
        "SUBSCRIBE INBOX",
        "BAD SUBSCRIBE log in first",
    ),
    (
        Setup::Anonymous,
        "subscribe before login is bad",
        "UNSUBSCRIBE INBOX",
        "BAD UNSUBSCRIBE log in first",
    ),
}
