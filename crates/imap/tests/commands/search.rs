//! SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH (RFC 4731).

use crate::{Imap, Setup};

#[tokio::test]
async fn search_by_header_and_body_finds_the_message_numbers() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.ok("SEARCH SUBJECT lunch", "SEARCH completed")
        .await
        .has("SEARCH 1 2");
    conn.cmd("SEARCH FROM bob BODY numbers")
        .await
        .has("SEARCH 3");
    conn.cmd("SEARCH NOT ALL").await.has("SEARCH");
}

#[tokio::test]
async fn uid_search_answers_uids_and_return_gives_esearch() {
    let imap = Imap::with_mail().await;
    let uids = imap.uids("INBOX").await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("UID SEARCH SUBJECT budget")
        .await
        .has(&format!("SEARCH {}", uids[2]));
    let tag = conn.send("SEARCH RETURN (MIN COUNT) SUBJECT lunch").await;
    conn.done(&tag)
        .await
        .ok_with("SEARCH completed")
        .has(&format!("ESEARCH (TAG \"{tag}\") MIN 1 COUNT 2"));
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Inbox,
        "search with an unknown charset is no badcharset",
        "SEARCH CHARSET KOI8-R SUBJECT lunch",
        "NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset",
    ),
    (
        Setup::AliceWithMail,
        "search without a selected mailbox is bad",
        "SEARCH ALL",
        "BAD SEARCH select a mailbox first",
    ),
    (
        Setup::Inbox,
        "search with an unknown key is bad",
        "SEARCH COLOUR red",
        "BAD syntax error: unknown search key",
    ),
}
