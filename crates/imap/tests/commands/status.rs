//! STATUS (RFC 9051 §6.3.11).

use testbed::ALICE;

use crate::{Imap, Setup};

#[tokio::test]
async fn status_counts_messages_and_unseen_without_selecting() {
    let imap = Imap::with_mail().await;
    let snap = imap.snapshot("INBOX").await;
    let mut conn = imap.login(ALICE).await;
    conn.ok(
        "STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED)",
        "STATUS completed",
    )
    .await
    .has(&format!(
        "STATUS \"INBOX\" (MESSAGES 3 UIDNEXT {} UIDVALIDITY {} UNSEEN 3 DELETED 0)",
        snap.uid_next, snap.uid_validity
    ));
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "status of a missing mailbox is no nonexistent",
        "STATUS Nowhere (MESSAGES)",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Anonymous,
        "status before login is bad",
        "STATUS INBOX (MESSAGES)",
        "BAD STATUS log in first",
    ),
    (
        Setup::Alice,
        "status with an unknown item is bad",
        "STATUS INBOX (COLOUR)",
        "BAD syntax error: unknown STATUS item",
    ),
}
