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

#[tokio::test]
async fn search_strings_are_decoded_from_the_charset_named() {
    let imap = Imap::new().await;
    imap.bed
        .deliver(
            &[imap.bed.alice],
            "From: a@example.net\r\nSubject: =?GB2312?B?x+u82Q==?=\r\n\r\nbody\r\n",
        )
        .await;
    let mut conn = imap.select("INBOX").await;
    // RFC 9051 §6.4.4: 请假 as GB2312 octets in a literal, then in Big5 (no match).
    for (charset, bytes, found) in [
        ("GB2312", &[0xC7, 0xEB, 0xBC, 0xD9][..], "* SEARCH 1"),
        ("GBK", &[0xC7, 0xEB, 0xBC, 0xD9][..], "* SEARCH 1"),
        ("BIG5", &[0xBD, 0xD0, 0xB0, 0xB2][..], "* SEARCH"),
    ] {
        let tag = format!("c{charset}");
        let head = format!("{tag} SEARCH CHARSET {charset} SUBJECT {{4+}}\r\n");
        conn.client.send_raw(head.as_bytes()).await;
        conn.client.send_raw(bytes).await;
        conn.client.send_raw(b"\r\n").await;
        let done = conn.done(&tag).await;
        assert_eq!(done.status, "OK SEARCH completed", "{charset}");
        assert_eq!(done.untagged, [found], "{charset}");
    }
    // A lone GB2312 lead byte is no search string: BAD, as Dovecot answers.
    conn.client
        .send_raw(b"z SEARCH CHARSET GB2312 SUBJECT {1+}\r\n\xC7\r\n")
        .await;
    let done = conn.done("z").await;
    assert!(done.status.starts_with("BAD "), "{done:?}");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Inbox,
        "search with an unknown charset is no badcharset",
        "SEARCH CHARSET X-UNKNOWN SUBJECT lunch",
        crate::BADCHARSET,
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
