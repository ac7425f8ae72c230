//! SELECT (RFC 9051 §6.3.2) with CONDSTORE (RFC 7162 §3.1.8).

use testbed::ALICE;

use crate::{Imap, Setup};

#[tokio::test]
async fn select_reports_the_mailbox_and_opens_it_read_write() {
    let imap = Imap::with_mail().await;
    let snap = imap.snapshot("INBOX").await;
    let mut conn = imap.login(ALICE).await;
    conn.ok("SELECT inbox", "[READ-WRITE] SELECT completed")
        .await
        .has("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
        .has("3 EXISTS")
        .has("0 RECENT")
        .has("OK [UNSEEN 1] first unseen")
        .has(&format!(
            "OK [UIDVALIDITY {}] UIDs valid",
            snap.uid_validity
        ))
        .has(&format!(
            "OK [UIDNEXT {}] predicted next UID",
            snap.uid_next
        ))
        .has("OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] flags")
        .has(&format!(
            "OK [HIGHESTMODSEQ {}] modseq",
            snap.highest_modseq
        ));
}

#[tokio::test]
async fn select_of_a_missing_mailbox_is_no_nonexistent_and_leaves_none_selected() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.no("SELECT Nowhere", "[NONEXISTENT] no such mailbox")
        .await
        .has("OK [CLOSED] previous mailbox closed");
    // RFC 9051 §6.3.2: a failed SELECT leaves the session in the authenticated state.
    conn.bad("FETCH 1 FLAGS", "FETCH select a mailbox first")
        .await;
}

#[tokio::test]
async fn select_condstore_adds_modseq_to_fetch_responses_of_changes() {
    let (imap, mut conn) = Imap::alice_with_mail().await;
    conn.ok("SELECT INBOX (CONDSTORE)", "[READ-WRITE] SELECT completed")
        .await;
    let before = imap.snapshot("INBOX").await.highest_modseq;
    // RFC 7162 §3.1.8: SELECT (CONDSTORE) enables CONDSTORE; flag changes carry MODSEQ.
    conn.ok("STORE 1 +FLAGS (\\Seen)", "STORE completed")
        .await
        .has(&format!("1 FETCH (MODSEQ ({}) FLAGS (\\Seen))", before + 1));
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "select before login is bad",
        "SELECT INBOX",
        "BAD SELECT log in first",
    ),
    (
        Setup::Alice,
        "select with qresync before enable is bad",
        "SELECT INBOX (QRESYNC (1 1))",
        "BAD ENABLE QRESYNC first",
    ),
}
