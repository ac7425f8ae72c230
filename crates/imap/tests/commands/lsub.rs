//! LSUB (RFC 3501 §6.3.9): the subscribed mailboxes.

use crate::{Imap, Setup};

#[tokio::test]
async fn lsub_lists_the_subscribed_mailboxes_only() {
    let (_imap, mut conn) = Imap::alice().await;
    // A created mailbox starts subscribed (the store's default).
    conn.cmd("CREATE Unread").await;
    conn.ok("LSUB \"\" *", "LSUB completed")
        .await
        .has("LSUB (\\HasNoChildren) \"/\" \"Unread\"");
    conn.cmd("UNSUBSCRIBE Unread").await;
    let done = conn.cmd("LSUB \"\" *").await;
    assert_eq!(done.lines("LSUB").len(), 5, "{done:?}");
    assert!(
        done.lines("LSUB")
            .iter()
            .all(|l| !l.ends_with("\"Unread\"")),
        "{done:?}"
    );
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "lsub before login is bad",
        "LSUB \"\" *",
        "BAD LSUB log in first",
    ),
}
