//! RENAME (RFC 9051 §6.3.6).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn rename_moves_a_mailbox_and_its_children() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Work").await.ok_with("CREATE completed");
    conn.cmd("CREATE Work/Old")
        .await
        .ok_with("CREATE completed");
    conn.cmd("RENAME Work Job")
        .await
        .ok_with("RENAME completed");
    let done = conn.cmd("LIST \"\" *").await;
    done.has("LIST (\\HasNoChildren) \"/\" \"Job/Old\"");
    assert!(
        done.lines("LIST").iter().all(|l| !l.contains("Work")),
        "{done:?}"
    );
}

#[tokio::test]
async fn rename_of_a_missing_mailbox_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("RENAME Nowhere Somewhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn rename_onto_an_existing_mailbox_is_no_alreadyexists() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("RENAME Junk Trash")
        .await
        .no_with("[ALREADYEXISTS] mailbox already exists");
}

#[tokio::test]
async fn rename_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("RENAME Junk Spam")
        .await
        .bad_with("RENAME log in first");
}
