//! LIST (RFC 9051 §6.3.9) with SPECIAL-USE, LIST-EXTENDED and LIST-STATUS.

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn list_star_shows_every_mailbox_with_its_special_use() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
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
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("LIST \"\" \"\"")
        .await
        .ok_with("LIST completed")
        .has("LIST (\\Noselect) \"/\" \"\"");
}

#[tokio::test]
async fn list_return_status_adds_status_lines() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("LIST \"\" INBOX RETURN (STATUS (MESSAGES UNSEEN))")
        .await
        .ok_with("LIST completed")
        .has("STATUS \"INBOX\" (MESSAGES 3 UNSEEN 3)");
}

#[tokio::test]
async fn list_with_a_pattern_past_the_limit_is_no_limit() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    let pattern = "%".repeat(200);
    let done = conn.cmd(&format!("LIST \"\" \"{pattern}\"")).await;
    assert!(done.status.starts_with("NO [LIMIT] "), "{done:?}");
}

#[tokio::test]
async fn list_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("LIST \"\" *").await.bad_with("LIST log in first");
}

#[tokio::test]
async fn list_percent_returns_a_level_that_is_no_mailbox_as_noselect() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    // Work itself is never created; Sent is deleted while it has a child.
    conn.cmd("CREATE Work/Old")
        .await
        .ok_with("CREATE completed");
    conn.cmd("CREATE Sent/2026")
        .await
        .ok_with("CREATE completed");
    conn.cmd("DELETE Sent").await.ok_with("DELETE completed");
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
    conn.cmd("SELECT Work")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}
