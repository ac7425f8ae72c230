//! LSUB (RFC 3501 §6.3.9): the subscribed mailboxes.

use crate::{Imap, Setup};

#[tokio::test]
async fn lsub_lists_the_subscribed_mailboxes_only() {
    let (_imap, mut conn) = Imap::alice().await;
    // CREATE does not subscribe (RFC 3501 §6.3.6): SUBSCRIBE does.
    conn.cmd("CREATE Unread").await;
    let done = conn.cmd("LSUB \"\" Unread").await;
    assert!(done.lines("LSUB").is_empty(), "{done:?}");
    conn.cmd("SUBSCRIBE Unread").await;
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

#[tokio::test]
async fn lsub_percent_shows_an_unsubscribed_parent_and_a_deleted_name_as_noselect() {
    let (_imap, mut conn) = Imap::alice().await;
    for name in ["Work", "Work/Plans", "Old"] {
        conn.cmd(&format!("CREATE {name}")).await;
    }
    conn.cmd("SUBSCRIBE Work/Plans").await;
    conn.cmd("SUBSCRIBE Old").await;
    conn.cmd("DELETE Old").await;
    // RFC 3501 §6.3.9: Work is not subscribed, but its child is.
    conn.ok("LSUB \"\" %", "LSUB completed")
        .await
        .has("LSUB (\\Noselect) \"/\" \"Work\"")
        // RFC 3501 §6.3.6: a subscription outlives its mailbox.
        .has("LSUB (\\Noselect) \"/\" \"Old\"");
    conn.ok("LIST (SUBSCRIBED) \"\" Old", "LIST completed")
        .await
        .has("LIST (\\NonExistent \\Subscribed) \"/\" \"Old\"");
    conn.ok("UNSUBSCRIBE Old", "UNSUBSCRIBE completed").await;
    let done = conn.cmd("LSUB \"\" Old").await;
    assert!(done.lines("LSUB").is_empty(), "{done:?}");
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
