//! STORE and UID STORE (RFC 9051 §6.4.6) with UNCHANGEDSINCE (RFC 7162 §3.1.3).

use crate::{Imap, Setup};

#[tokio::test]
async fn store_adds_and_removes_flags_and_reports_them() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.ok("STORE 1 +FLAGS (\\Flagged $Work)", "STORE completed")
        .await
        .has("1 FETCH (FLAGS (\\Recent \\Flagged $Work))");
    conn.cmd("STORE 1 -FLAGS (\\Flagged)")
        .await
        .has("1 FETCH (FLAGS (\\Recent $Work))");
    let done = conn.cmd("STORE 1 FLAGS.SILENT (\\Seen)").await;
    done.ok_with("STORE completed");
    assert!(done.untagged.is_empty(), "{done:?}");
    let snap = imap.snapshot("INBOX").await;
    assert_eq!(snap.messages[0].flags, ["\\Seen"]);
}

#[tokio::test]
async fn a_new_keyword_is_announced_in_flags_before_it_is_shown() {
    let (_imap, mut conn) = Imap::inbox().await;
    let done = conn.ok("STORE 2 +FLAGS ($Label1)", "STORE completed").await;
    // RFC 3501 §7.2.6: FLAGS (and PERMANENTFLAGS) name the keyword before the FETCH.
    let flags = done
        .untagged
        .iter()
        .position(|l| l.starts_with("* FLAGS ("));
    let fetch = done.untagged.iter().position(|l| l.contains("FETCH"));
    assert!(flags.is_some() && flags < fetch, "{done:?}");
    done.has("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)");
    // Known now: not announced again.
    let done = conn.ok("STORE 1 +FLAGS ($Label1)", "STORE completed").await;
    assert!(
        !done.untagged.iter().any(|l| l.starts_with("* FLAGS")),
        "{done:?}"
    );
}

#[tokio::test]
async fn uid_store_names_messages_by_uid() {
    let imap = Imap::with_mail().await;
    let uid = imap.uids("INBOX").await[2];
    let mut conn = imap.select("INBOX").await;
    conn.ok(
        &format!("UID STORE {uid} +FLAGS (\\Answered)"),
        "STORE completed",
    )
    .await
    .has(&format!("3 FETCH (UID {uid} FLAGS (\\Recent \\Answered))"));
}

#[tokio::test]
async fn store_unchangedsince_an_old_modseq_is_refused_as_modified() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.cmd("STORE 1 +FLAGS.SILENT (\\Seen)").await;
    let done = conn
        .cmd("STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Flagged)")
        .await;
    assert!(done.status.starts_with("OK [MODIFIED 1] "), "{done:?}");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::AliceWithMail,
        "store without a selected mailbox is bad",
        "STORE 1 +FLAGS (\\Seen)",
        "BAD STORE select a mailbox first",
    ),
    (
        Setup::Inbox,
        "store of the recent flag or a missing message is bad",
        "STORE 1 +FLAGS (\\Recent)",
        "BAD \\Recent cannot be stored",
    ),
    (
        Setup::Inbox,
        "store of the recent flag or a missing message is bad",
        "STORE 9 +FLAGS (\\Seen)",
        "BAD no such message",
    ),
}
