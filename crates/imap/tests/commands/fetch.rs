//! FETCH and UID FETCH (RFC 9051 §6.4.5).

use crate::{Imap, MAIL, Setup};

#[tokio::test]
async fn fetch_gives_flags_size_and_envelope() {
    let (imap, mut conn) = Imap::inbox().await;
    let done = conn.cmd("FETCH 3 (FLAGS RFC822.SIZE ENVELOPE)").await;
    done.ok_with("FETCH completed");
    let line = done.lines("3 FETCH (")[0];
    assert!(
        line.starts_with("* 3 FETCH (FLAGS () RFC822.SIZE "),
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
    conn.cmd("FETCH 1 FLAGS").await.has("1 FETCH (FLAGS ())");
    let done = conn.cmd("FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]").await;
    let line = done.lines("1 FETCH (")[0];
    assert!(line.contains("Subject: Lunch\r\n\r\n"), "{line}");
    assert!(line.contains("FLAGS (\\Seen)"), "{line}");
}

#[tokio::test]
async fn uid_fetch_includes_the_uid_and_skips_missing_uids() {
    let imap = Imap::with_mail().await;
    let uid = imap.uids("INBOX").await[1];
    let mut conn = imap.select("INBOX").await;
    conn.ok(&format!("UID FETCH {uid} FLAGS"), "FETCH completed")
        .await
        .has(&format!("2 FETCH (UID {uid} FLAGS ())"));
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
        line.contains("MODSEQ (") && line.contains("FLAGS (\\Seen)"),
        "{line}"
    );
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
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

/// A message whose part 1 is message/rfc822 (Apple Mail forwards as attachment so).
const FORWARD: &str = "From: ann@example.com\r\nSubject: fwd\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: Carl <carl@example.com>\r\nSubject: inner\r\n\r\nHello world\r\n--o--\r\n";

#[tokio::test]
async fn fetch_of_a_message_rfc822_part_is_the_whole_encapsulated_message() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.append("INBOX", "", FORWARD).await;
    conn.cmd("SELECT INBOX").await;
    // RFC 9051 §6.4.5: 1 is the encapsulated message with its header, 1.1 its body,
    // 1.HEADER / 1.TEXT its header and body, 1.MIME the part's own header.
    let inner = "From: Carl <carl@example.com>\r\nSubject: inner\r\n\r\nHello world";
    let cases = [
        ("1", inner.to_string()),
        ("1.1", "Hello world".to_string()),
        (
            "1.HEADER",
            "From: Carl <carl@example.com>\r\nSubject: inner\r\n\r\n".into(),
        ),
        ("1.TEXT", "Hello world".into()),
        ("1.MIME", "Content-Type: message/rfc822\r\n\r\n".into()),
    ];
    for (section, want) in cases {
        let done = conn.cmd(&format!("FETCH 1 BODY.PEEK[{section}]")).await;
        let line = done.lines("1 FETCH (")[0];
        let expected = format!("BODY[{section}] {{{}}}\r\n{want})", want.len());
        assert!(line.ends_with(&expected), "{section}: {line}");
    }
    // A message that is one message/rfc822 part: 1.MIME is its own header (it is part 1),
    // 1.1 the first part of the message inside.
    let top = "Subject: t\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\na\r\n--x--\r\n";
    conn.append("INBOX", "", top).await;
    conn.cmd("NOOP").await;
    let done = conn.cmd("FETCH 2 (BODY.PEEK[1.MIME] BODY.PEEK[1.1])").await;
    let line = done.lines("2 FETCH (")[0];
    let mime = "Subject: t\r\nContent-Type: message/rfc822\r\n\r\n";
    let want = format!(
        "BODY[1.MIME] {{{}}}\r\n{mime} BODY[1.1] {{1}}\r\na)",
        mime.len()
    );
    assert!(line.ends_with(&want), "{line}");
}

#[tokio::test]
async fn envelope_keeps_groups_and_names_as_sent() {
    let (_imap, mut conn) = Imap::alice().await;
    let message = "From: =?utf-8?q?J=C3=B6rg?= <j@example.com>\r\nTo: Team: a@example.com, b@example.com;\r\nCc: undisclosed-recipients:;\r\nSubject: group\r\n\r\nx\r\n";
    conn.append("INBOX", "", message).await;
    conn.cmd("SELECT INBOX").await;
    let done = conn.cmd("FETCH 1 ENVELOPE").await;
    // RFC 3501 §7.4.2: a group is (NIL NIL "name" NIL) ... (NIL NIL NIL NIL); encoded words
    // stay as the sender wrote them.
    done.has(
        "1 FETCH (ENVELOPE (NIL \"group\" \
         ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"example.com\")) \
         ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"example.com\")) \
         ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"example.com\")) \
         ((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"example.com\")(NIL NIL \"b\" \"example.com\")(NIL NIL NIL NIL)) \
         ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL))",
    );
}
