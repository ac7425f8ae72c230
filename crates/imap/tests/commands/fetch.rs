//! FETCH and UID FETCH (RFC 9051 §6.4.5).

use crate::{Imap, MAIL, Setup};

#[tokio::test]
async fn fetch_gives_flags_size_and_envelope() {
    let (imap, mut conn) = Imap::inbox().await;
    let done = conn.cmd("FETCH 3 (FLAGS RFC822.SIZE ENVELOPE)").await;
    done.ok_with("FETCH completed");
    let line = done.lines("3 FETCH (")[0];
    assert!(
        line.starts_with("* 3 FETCH (FLAGS (\\Recent) RFC822.SIZE "),
        "{line}"
    );
    let size = imap.bed.inbox(imap.bed.alice).await[2].len();
    assert!(line.contains(&format!("RFC822.SIZE {size} ")), "{line}");
    assert!(line.contains("\"Budget\""), "{line}");
    assert!(
        line.contains("((\"Bob\" NIL \"bob\" \"example.com\"))"),
        "{line}"
    );
}

#[tokio::test]
async fn fetch_body_sends_the_message_and_sets_seen_but_peek_does_not() {
    let (_imap, mut conn) = Imap::inbox().await;
    let done = conn.cmd("FETCH 1 BODY.PEEK[]").await;
    let line = done.lines("1 FETCH (")[0];
    assert!(
        line.contains(&format!("BODY[] {{{}}}\r\n{}", MAIL[0].len(), MAIL[0])),
        "{line}"
    );
    conn.cmd("FETCH 1 FLAGS")
        .await
        .has("1 FETCH (FLAGS (\\Recent))");
    let done = conn.cmd("FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]").await;
    let line = done.lines("1 FETCH (")[0];
    assert!(line.contains("Subject: Lunch\r\n\r\n"), "{line}");
    assert!(line.contains("FLAGS (\\Recent \\Seen)"), "{line}");
}

#[tokio::test]
async fn uid_fetch_includes_the_uid_and_skips_missing_uids() {
    let imap = Imap::with_mail().await;
    let uid = imap.uids("INBOX").await[1];
    let mut conn = imap.select("INBOX").await;
    conn.ok(&format!("UID FETCH {uid} FLAGS"), "FETCH completed")
        .await
        .has(&format!("2 FETCH (UID {uid} FLAGS (\\Recent))"));
    // RFC 9051 §6.4.8: a UID that does not exist is not an error.
    let done = conn.cmd("UID FETCH 999 FLAGS").await;
    done.ok_with("FETCH completed");
    assert!(done.untagged.is_empty(), "{done:?}");
}

#[tokio::test]
async fn fetch_that_sets_seen_under_condstore_reports_modseq() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.cmd("SELECT INBOX (CONDSTORE)").await;
    let done = conn.cmd("FETCH 2 BODY[TEXT]").await;
    let line = done.lines("2 FETCH (")[0];
    assert!(
        line.contains("MODSEQ (") && line.contains("FLAGS (\\Recent \\Seen)"),
        "{line}"
    );
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Inbox,
        "fetch of the saved result without searchres is bad",
        "FETCH $ FLAGS",
        "BAD syntax error: $ needs SEARCHRES, which this server does not offer",
    ),
    (
        Setup::Inbox,
        "fetch of a message number that does not exist is bad",
        "FETCH 4 FLAGS",
        "BAD no such message",
    ),
    (
        Setup::AliceWithMail,
        "fetch without a selected mailbox is bad",
        "FETCH 1 FLAGS",
        "BAD FETCH select a mailbox first",
    ),
}
