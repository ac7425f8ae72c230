//! EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1).

use crate::{Imap, Setup};

#[tokio::test]
async fn expunge_removes_deleted_messages_and_reports_their_numbers() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.cmd("STORE 2:3 +FLAGS.SILENT (\\Deleted)").await;
    let done = conn.cmd("EXPUNGE").await;
    done.ok_with("EXPUNGE completed");
    // Each EXPUNGE renumbers the rest: 3 goes first, then 2 (or 2 twice).
    assert_eq!(done.lines("").len(), 2, "{done:?}");
    assert!(
        done.untagged.iter().all(|l| l.ends_with(" EXPUNGE")),
        "{done:?}"
    );
    assert_eq!(imap.count("INBOX").await, 1);
}

#[tokio::test]
async fn uid_expunge_removes_only_the_named_deleted_messages() {
    let imap = Imap::with_mail().await;
    let uids = imap.uids("INBOX").await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("STORE 1:2 +FLAGS.SILENT (\\Deleted)").await;
    conn.ok(&format!("UID EXPUNGE {}", uids[1]), "EXPUNGE completed")
        .await
        .has("2 EXPUNGE");
    assert_eq!(imap.count("INBOX").await, 2);
}

#[tokio::test]
async fn expunge_in_a_read_only_mailbox_is_no_read_only() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.cmd("EXAMINE INBOX").await;
    conn.no("EXPUNGE", "[READ-ONLY] the mailbox is read-only")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "expunge without a selected mailbox is bad",
        "EXPUNGE",
        "BAD EXPUNGE select a mailbox first",
    ),
}
