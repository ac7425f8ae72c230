//! SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH (RFC 4731).

use crate::Imap;

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

#[tokio::test]
async fn search_with_an_unknown_charset_is_no_badcharset() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.no(
        "SEARCH CHARSET KOI8-R SUBJECT lunch",
        "[BADCHARSET (UTF-8 US-ASCII)] unsupported charset",
    )
    .await;
}

#[tokio::test]
async fn search_with_an_unknown_key_is_bad() {
    let (_imap, mut conn) = Imap::inbox().await;
    assert!(
        conn.cmd("SEARCH COLOUR red")
            .await
            .status
            .starts_with("BAD ")
    );
}

#[tokio::test]
async fn search_without_a_selected_mailbox_is_bad() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.bad("SEARCH ALL", "SEARCH select a mailbox first")
        .await;
}
