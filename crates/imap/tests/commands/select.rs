//! SELECT (RFC 9051 §6.3.2) with CONDSTORE (RFC 7162 §3.1.8).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn select_reports_the_mailbox_and_opens_it_read_write() {
    let imap = Imap::with_mail().await;
    let snap = imap.snapshot("INBOX").await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("SELECT inbox")
        .await
        .ok_with("[READ-WRITE] SELECT completed")
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
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("SELECT Nowhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox")
        .has("OK [CLOSED] previous mailbox closed");
    // RFC 9051 §6.3.2: a failed SELECT leaves the session in the authenticated state.
    conn.cmd("FETCH 1 FLAGS")
        .await
        .bad_with("FETCH select a mailbox first");
}

#[tokio::test]
async fn select_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("SELECT INBOX")
        .await
        .bad_with("SELECT log in first");
}

#[tokio::test]
async fn select_with_qresync_before_enable_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("SELECT INBOX (QRESYNC (1 1))")
        .await
        .bad_with("ENABLE QRESYNC first");
}

#[tokio::test]
async fn select_condstore_adds_modseq_to_fetch_responses_of_changes() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("SELECT INBOX (CONDSTORE)")
        .await
        .ok_with("[READ-WRITE] SELECT completed");
    let before = imap.snapshot("INBOX").await.highest_modseq;
    // RFC 7162 §3.1.8: SELECT (CONDSTORE) enables CONDSTORE; flag changes carry MODSEQ.
    conn.cmd("STORE 1 +FLAGS (\\Seen)")
        .await
        .ok_with("STORE completed")
        .has(&format!("1 FETCH (MODSEQ ({}) FLAGS (\\Seen))", before + 1));
}
