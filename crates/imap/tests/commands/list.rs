//! LIST (RFC 9051 §6.3.9) with SPECIAL-USE, LIST-EXTENDED and LIST-STATUS.

use crate::{Imap, Setup};

#[tokio::test]
async fn list_star_shows_every_mailbox_with_its_special_use() {
    let (_imap, mut conn) = Imap::alice().await;
    let done = conn.cmd("LIST \"\" *").await;
    done.ok_with("LIST completed")
        .has("LIST (\\HasNoChildren) \"/\" \"INBOX\"")
        .has("LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"")
        .has("LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"")
        .has("LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"")
        .has("LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"");
    assert_eq!(done.untagged.len(), 5, "{done:?}");
}

#[tokio::test]
async fn list_with_an_empty_pattern_gives_the_delimiter() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("LIST \"\" \"\"", "LIST completed")
        .await
        .has("LIST (\\Noselect) \"/\" \"\"");
}

#[tokio::test]
async fn list_return_status_adds_status_lines() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.ok(
        "LIST \"\" INBOX RETURN (STATUS (MESSAGES UNSEEN))",
        "LIST completed",
    )
    .await
    .has("STATUS \"INBOX\" (MESSAGES 3 UNSEEN 3)");
}

#[tokio::test]
async fn list_with_a_pattern_past_the_limit_is_no_limit() {
    let (_imap, mut conn) = Imap::alice().await;
    let pattern = "%".repeat(200);
    let done = conn.cmd(&format!("LIST \"\" \"{pattern}\"")).await;
    assert!(done.status.starts_with("NO [LIMIT] "), "{done:?}");
}

#[tokio::test]
async fn list_percent_returns_a_level_that_is_no_mailbox_as_noselect() {
    let (_imap, mut conn) = Imap::alice().await;
    // Work itself is never created; Sent is deleted while it has a child.
    conn.ok("CREATE Work/Old", "CREATE completed").await;
    conn.ok("CREATE Sent/2026", "CREATE completed").await;
    conn.ok("DELETE Sent", "DELETE completed").await;
    // RFC 9051 §6.3.9: with "%" last, matching levels of hierarchy are returned, \Noselect
    // when they are not mailboxes: how a client walking the tree finds Work/Old.
    let done = conn.cmd("LIST \"\" %").await;
    done.ok_with("LIST completed")
        .has("LIST (\\Noselect \\HasChildren) \"/\" \"Work\"")
        .has("LIST (\\Noselect \\HasChildren) \"/\" \"Sent\"");
    assert_eq!(done.untagged.len(), 6, "{done:?}");
    conn.cmd("LIST \"\" Work/%")
        .await
        .has("LIST (\\HasNoChildren) \"/\" \"Work/Old\"");
    // "*" lists the mailboxes only, and a \Noselect level cannot be selected.
    let done = conn.cmd("LIST \"\" W*").await;
    assert_eq!(
        done.untagged,
        ["* LIST (\\HasNoChildren) \"/\" \"Work/Old\""]
    );
    conn.no("SELECT Work", "[NONEXISTENT] no such mailbox")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "list before login is bad",
        "LIST \"\" *",
        "BAD LIST log in first",
    ),
}
