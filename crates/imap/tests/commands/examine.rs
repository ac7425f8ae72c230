//! EXAMINE (RFC 9051 §6.3.3): read-only.

use crate::Imap;

#[tokio::test]
async fn examine_opens_read_only_and_refuses_changes() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.ok("EXAMINE INBOX", "[READ-ONLY] EXAMINE completed")
        .await
        .has("3 EXISTS")
        .has("OK [PERMANENTFLAGS ()] flags");
    conn.no(
        "STORE 1 +FLAGS (\\Deleted)",
        "[READ-ONLY] the mailbox is read-only",
    )
    .await;
    conn.no("EXPUNGE", "[READ-ONLY] the mailbox is read-only")
        .await;
}

#[tokio::test]
async fn examine_does_not_set_seen_when_fetching_a_body() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.cmd("EXAMINE INBOX").await;
    conn.ok("FETCH 1 BODY[]", "FETCH completed").await;
    let done = conn.cmd("FETCH 1 FLAGS").await;
    done.has("1 FETCH (FLAGS ())");
}

#[tokio::test]
async fn examine_of_a_missing_mailbox_is_no_nonexistent() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no("EXAMINE Nowhere", "[NONEXISTENT] no such mailbox")
        .await;
}

#[tokio::test]
async fn examine_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad("EXAMINE INBOX", "EXAMINE log in first").await;
}
