//! FETCH ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2) answered from summaries kept in
//! the store (migration 7): after a restart the answers are byte for byte those computed
//! before, read from the store instead of parsed; a summary goes with its expunged message;
//! one of another format version is not used.

use tests::imap::{ImapConn, server};
use tests::{Server, python};

const MESSAGES: &[&[u8]] = &[
    b"From: Ann Example <ann@example.test>\r\nTo: bob@example.test\r\nSubject: plain\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <p1@example.test>\r\n\r\nhello\r\n",
    b"From: =?UTF-8?B?5byg5LiJ?= <zhang@example.test>\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E4=BD=A0=E5=A5=BD\r\n",
    b"From: ann@example.test\r\nSubject: attach\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=mix\r\n\r\n--mix\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--mix\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--mix--\r\n",
    b"From: ann@example.test\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=fw\r\n\r\n--fw\r\nContent-Type: message/rfc822\r\n\r\nFrom: Carl <carl@example.test>\r\nSubject: original\r\n\r\norig\r\n\r\n--fw--\r\n",
    b"Subject: odd \"quoted\" \\ name\r\nFrom: \"Q, R\" <q@example.test>\r\n\r\nx\r\n",
    b"From: \xe5\xbc\xa0\xe4\xb8\x89 <zhang@example.test>\r\nSubject: raw\r\n\r\nx\r\n",
];

const LOG_LINE: &str = "summaries read from the store";

/// A session on INBOX, with UTF8=ACCEPT (RFC 6855 §3) if `utf8`.
fn open(server: &Server, utf8: bool) -> ImapConn {
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    if utf8 {
        let r = c.cmd("e", "ENABLE UTF8=ACCEPT");
        assert!(r.last().is_some_and(|l| l.starts_with("e OK")), "{r:?}");
    }
    let r = c.cmd("s", "SELECT INBOX");
    assert!(r.last().is_some_and(|l| l.starts_with("s OK")), "{r:?}");
    c
}

/// Every untagged line of `FETCH 1:* (ENVELOPE BODY BODYSTRUCTURE)`, literals included.
fn summaries(c: &mut ImapConn) -> Vec<String> {
    let mut r = c.cmd("f", "FETCH 1:* (ENVELOPE BODY BODYSTRUCTURE)");
    let done = r.pop().unwrap_or_default();
    assert!(done.starts_with("f OK"), "{done}: {r:?}");
    r
}

fn sql_count(server: &Server, query: &str) -> usize {
    server.sql(query).parse().expect("a count")
}

fn store_reads(server: &Server) -> usize {
    server.log().matches(LOG_LINE).count()
}

#[test]
fn summaries_survive_a_restart_byte_for_byte_and_go_with_their_message() {
    let mut server = server();
    let mut c = open(&server, false);
    for (i, m) in MESSAGES.iter().enumerate() {
        c.append(&format!("a{i}"), m);
    }
    let r = c.cmd("n", "NOOP");
    assert!(r.last().is_some_and(|l| l.starts_with("n OK")), "{r:?}");
    let first = summaries(&mut c);
    assert_eq!(
        first.iter().filter(|l| l.contains(" FETCH (")).count(),
        MESSAGES.len(),
        "{first:?}"
    );
    let first_utf8 = summaries(&mut open(&server, true));
    // Message 6's 8-bit name: a literal, or with UTF8=ACCEPT a quoted string (RFC 6855 §3).
    assert_ne!(first, first_utf8, "the UTF-8 flavour differs for message 6");
    // Both flavours are stored once each message was summarised: one row per message.
    let n = MESSAGES.len();
    let rows = "SELECT count(*) FROM summaries WHERE encoded IS NOT NULL AND utf8 IS NOT NULL";
    assert_eq!(sql_count(&server, rows), n);
    // Summarised in this process: answered from memory, nothing read from the store.
    assert_eq!(summaries(&mut c), first);
    assert_eq!(store_reads(&server), 0, "{}", server.log());
    drop(c);

    server.stop();
    server.spawn();
    let mut c = open(&server, false);
    assert_eq!(summaries(&mut c), first);
    assert_eq!(summaries(&mut open(&server, true)), first_utf8);

    // Expunged: the message's summary is deleted in the same transaction.
    for cmd in ["STORE 1 +FLAGS.SILENT (\\Deleted)", "EXPUNGE"] {
        let r = c.cmd("x", cmd);
        assert!(r.last().is_some_and(|l| l.starts_with("x OK")), "{r:?}");
    }
    assert_eq!(sql_count(&server, "SELECT count(*) FROM summaries"), n - 1);
    drop(c);

    // The log is complete once the server has stopped: both FETCHes after the restart read
    // every summary from the store.
    server.stop();
    let log = server.log();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(LOG_LINE)).collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines.iter().all(|l| l.contains(&format!("count={n}"))),
        "{lines:?}"
    );

    // What is stored is what is sent: a row changed while the server is down is answered as
    // is (no parse). A row of another format version is not used: parsed again, rewritten.
    // The stored form (op/summary.rs): lengths of ENVELOPE (6) and BODY (3), little-endian,
    // then "(MARK)", "(B)" and BODYSTRUCTURE "(S)".
    let uid2 = "(SELECT blob_id FROM messages WHERE uid = 2)";
    let uid3 = "(SELECT blob_id FROM messages WHERE uid = 3)";
    sql_write(
        &server,
        &format!(
            "UPDATE summaries SET encoded = x'0600000003000000284d41524b29284229285329' WHERE blob_id = {uid2}; \
             UPDATE summaries SET version = version + 1000 WHERE blob_id = {uid3}"
        ),
    );
    server.spawn();
    let mut c = open(&server, false);
    let r = c.cmd("f", "FETCH 1 (ENVELOPE BODY BODYSTRUCTURE)");
    assert_eq!(
        r[0], "* 1 FETCH (ENVELOPE (MARK) BODY (B) BODYSTRUCTURE (S))",
        "{r:?}"
    );
    let r = summaries(&mut c);
    assert_eq!(r[1], first[2].replacen("* 3 ", "* 2 ", 1), "{r:?}");
    let current = format!(
        "SELECT count(*) FROM summaries WHERE blob_id = {uid3} AND version < 1000 AND utf8 IS NULL"
    );
    assert_eq!(sql_count(&server, &current), 1);
}

/// Runs `statements` on the stopped server's database.
fn sql_write(server: &Server, statements: &str) {
    let db = server.data_dir().join("postroom.db");
    let out = python(
        "imap_summary_sql_write.py",
        &[db.to_str().expect("utf-8 path"), statements],
    );
    tests::assert_success(&out);
}
