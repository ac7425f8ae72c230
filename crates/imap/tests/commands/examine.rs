//! EXAMINE (RFC 9051 §6.3.3): read-only.

use crate::{Imap, Setup};

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
    // EXAMINE shows unclaimed mail as \Recent without claiming it (RFC 3501 §6.3.2).
    done.has("1 FETCH (FLAGS (\\Recent))");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "examine of a missing mailbox is no nonexistent",
        "EXAMINE Nowhere",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Anonymous,
        "examine before login is bad",
        "EXAMINE INBOX",
        "BAD EXAMINE log in first",
    ),
}
