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
        // RFC 3501 §2.3.2: the first session to select new mail sees it as recent.
        .has("3 RECENT")
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
        .has(&format!(
            "1 FETCH (MODSEQ ({}) FLAGS (\\Recent \\Seen))",
            before + 1
        ));
}

#[tokio::test]
async fn only_the_first_read_write_session_sees_mail_as_recent() {
    let imap = Imap::with_mail().await;
    // RFC 3501 §6.3.2: EXAMINE shows the recent count but claims nothing.
    let mut first = imap.login(ALICE).await;
    first
        .ok("EXAMINE INBOX", "[READ-ONLY] EXAMINE completed")
        .await
        .has("3 RECENT");
    first
        .ok("STATUS INBOX (RECENT MESSAGES)", "STATUS completed")
        .await
        .has("STATUS \"INBOX\" (RECENT 3 MESSAGES 3)");
    // RFC 3501 §2.3.2: SELECT claims them; no later session sees them as recent.
    let mut second = imap.login(ALICE).await;
    second
        .ok("SELECT INBOX", "[READ-WRITE] SELECT completed")
        .await
        .has("3 RECENT");
    second
        .ok("SEARCH RECENT", "SEARCH completed")
        .await
        .has("SEARCH 1 2 3");
    second
        .ok("SEARCH NEW", "SEARCH completed")
        .await
        .has("SEARCH 1 2 3");
    let mut third = imap.login(ALICE).await;
    third
        .ok("SELECT INBOX", "[READ-WRITE] SELECT completed")
        .await
        .has("0 RECENT");
    third
        .ok("FETCH 1 FLAGS", "FETCH completed")
        .await
        .has("1 FETCH (FLAGS ())");
    third
        .ok("SEARCH OLD", "SEARCH completed")
        .await
        .has("SEARCH 1 2 3");
    third
        .ok("STATUS INBOX (RECENT)", "STATUS completed")
        .await
        .has("STATUS \"INBOX\" (RECENT 0)");
}

#[tokio::test]
async fn imap4rev2_sessions_have_no_recent() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.ok("ENABLE IMAP4rev2", "ENABLE completed").await;
    let done = conn
        .ok("SELECT INBOX", "[READ-WRITE] SELECT completed")
        .await;
    assert!(
        done.lines("").iter().all(|l| !l.contains("RECENT")),
        "{done:?}"
    );
    conn.ok("FETCH 1 FLAGS", "FETCH completed")
        .await
        .has("1 FETCH (FLAGS ())");
    // RFC 9051 §2.3.2: not claimed either, so an IMAP4rev1 session still sees them.
    let mut rev1 = imap.login(ALICE).await;
    rev1.ok("SELECT INBOX", "[READ-WRITE] SELECT completed")
        .await
        .has("3 RECENT");
}

#[tokio::test]
async fn a_name_that_is_no_modified_utf7_names_no_mailbox() {
    let (_imap, mut conn) = Imap::alice().await;
    // RFC 3501 §9: `~` and `&` are ATOM-CHARs; neither name exists: NO, not BAD.
    conn.no("SELECT ~foo", "[NONEXISTENT] no such mailbox")
        .await;
    conn.no("SELECT a&b", "[NONEXISTENT] no such mailbox").await;
    let done = conn.ok("LIST \"\" ~foo", "LIST completed").await;
    assert!(done.untagged.is_empty(), "{done:?}");
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
