//! QRESYNC (RFC 7162 §3.2): one session changes flags and expunges, another comes back with
//! SELECT (QRESYNC (uidvalidity modseq [known-uids])) and learns only what changed: VANISHED
//! (EARLIER) for the expunged UIDs, FETCH with FLAGS and MODSEQ for the changed messages.
//! Once QRESYNC is enabled, expunges are told as VANISHED instead of EXPUNGE. Exact
//! exchanges on a raw connection, and Python's imaplib as a real client.
//!
//! Every mailbox starts at HIGHESTMODSEQ 1 and each change takes the next value: the five
//! messages delivered first have MODSEQ 2 to 6.
//!
//! The server remembers 1000 expunged UIDs a mailbox (`store/src/modseq.rs`); a client coming
//! back from before the oldest is told every UID not in the mailbox and still ends right.

use tests::imap::{ImapConn, deliver, message, server};
use tests::{PASSWORD, Server, python_ok};

/// The server after the changes a client that last saw HIGHESTMODSEQ 6 missed: message 2
/// became \Seen (MODSEQ 7), 4 and 5 were flagged \Deleted (8) and expunged (9), and a sixth
/// message arrived (UID 6, MODSEQ 10). Returns the server and INBOX's UIDVALIDITY.
fn changed_behind_the_clients_back() -> (Server, u32) {
    let server = server();
    for i in 1..=5 {
        deliver(
            &server,
            "alice@example.test",
            &message(&format!("r{i}@test")),
        );
    }
    let mut b = ImapConn::login(server.addr("imap"), "alice");
    let r = b.cmd("s", "SELECT INBOX");
    assert!(
        r.contains(&"* OK [HIGHESTMODSEQ 6] modseq".to_string()),
        "{r:?}"
    );
    let uid_validity = r
        .iter()
        .find_map(|l| l.strip_prefix("* OK [UIDVALIDITY "))
        .and_then(|l| l.split(']').next())
        .and_then(|v| v.parse().ok())
        .expect("UIDVALIDITY");
    b.cmd("a", "STORE 2 +FLAGS.SILENT (\\Seen)");
    b.cmd("b", "STORE 4:5 +FLAGS.SILENT (\\Deleted)");
    let r = b.cmd("c", "EXPUNGE");
    // This session did not enable QRESYNC: classic EXPUNGE responses.
    assert_eq!(r[..2], ["* 4 EXPUNGE", "* 4 EXPUNGE"], "{r:?}");
    b.cmd("z", "LOGOUT");
    deliver(&server, "alice@example.test", &message("r6@test"));
    (server, uid_validity)
}

/// The lines of a SELECT after HIGHESTMODSEQ: what QRESYNC added.
fn after_highestmodseq(r: &[String]) -> Vec<String> {
    let at = r
        .iter()
        .position(|l| l.starts_with("* OK [HIGHESTMODSEQ"))
        .expect("HIGHESTMODSEQ");
    r[at + 1..].to_vec()
}

#[test]
fn select_qresync_reports_vanished_earlier_and_changed_flags() {
    let (server, v) = changed_behind_the_clients_back();
    let mut a = ImapConn::login(server.addr("imap"), "alice");
    // The parameter without ENABLE QRESYNC first (RFC 7162 §3.2.5).
    a.expect("s0", &format!("SELECT INBOX (QRESYNC ({v} 6))"), "BAD");
    assert_eq!(a.cmd("e", "ENABLE QRESYNC")[0], "* ENABLED QRESYNC");
    let r = a.cmd("s1", &format!("SELECT INBOX (QRESYNC ({v} 6))"));
    assert!(
        r.contains(&"* OK [HIGHESTMODSEQ 10] modseq".to_string()),
        "{r:?}"
    );
    assert_eq!(
        after_highestmodseq(&r),
        [
            "* VANISHED (EARLIER) 4:5",
            "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))",
            "* 4 FETCH (UID 6 FLAGS (\\Recent) MODSEQ (10))",
            "s1 OK [READ-WRITE] SELECT completed"
        ],
        "{r:?}"
    );
    // Known UIDs 1:3 only: nothing it knew vanished; only UID 2 changed among them.
    let r = a.cmd("s2", &format!("EXAMINE INBOX (QRESYNC ({v} 6 1:3))"));
    assert_eq!(r[0], "* OK [CLOSED] previous mailbox closed", "{r:?}");
    assert_eq!(
        after_highestmodseq(&r),
        [
            "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))",
            "s2 OK [READ-ONLY] EXAMINE completed"
        ],
        "{r:?}"
    );
    // Up to date: nothing to tell.
    let r = a.cmd("s3", &format!("SELECT INBOX (QRESYNC ({v} 10))"));
    assert_eq!(
        after_highestmodseq(&r),
        ["s3 OK [READ-WRITE] SELECT completed"],
        "{r:?}"
    );
    // Another UIDVALIDITY: the client's cache is void; a plain SELECT (§3.2.5.1).
    let r = a.cmd("s4", &format!("SELECT INBOX (QRESYNC ({} 6))", v + 1));
    assert_eq!(
        after_highestmodseq(&r),
        ["s4 OK [READ-WRITE] SELECT completed"],
        "{r:?}"
    );
    // UID FETCH with CHANGEDSINCE and VANISHED (§3.2.6), within the UIDs asked for.
    let r = a.cmd("f1", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)");
    assert_eq!(
        r,
        [
            "* VANISHED (EARLIER) 4:5",
            "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))",
            "* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
            "f1 OK FETCH completed"
        ]
    );
    let r = a.cmd("f2", "UID FETCH 5:6 (FLAGS) (CHANGEDSINCE 8 VANISHED)");
    assert_eq!(
        r,
        [
            "* VANISHED (EARLIER) 5",
            "* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
            "f2 OK FETCH completed"
        ]
    );
    // VANISHED only with UID FETCH (§3.2.6).
    a.expect("f3", "FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)", "BAD");
    // UIDVALIDITY 0 does not exist.
    a.expect("s5", "SELECT INBOX (QRESYNC (0 6))", "BAD");
}

#[test]
fn expunges_are_vanished_once_qresync_is_enabled() {
    let (server, _) = changed_behind_the_clients_back();
    let mut a = ImapConn::login(server.addr("imap"), "alice");
    let mut b = ImapConn::login(server.addr("imap"), "alice");
    a.cmd("e", "ENABLE QRESYNC");
    a.cmd("s", "SELECT INBOX");
    b.cmd("s", "SELECT INBOX");
    // Another session expunges UID 1 and flags UID 3: unsolicited VANISHED, FETCH with MODSEQ.
    b.cmd("a", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    b.cmd("b", "EXPUNGE");
    b.cmd("c", "UID STORE 3 +FLAGS.SILENT (\\Flagged)");
    let r = a.cmd("n", "NOOP");
    assert_eq!(
        r,
        [
            "* VANISHED 1",
            "* 2 FETCH (UID 3 MODSEQ (13) FLAGS (\\Flagged))",
            "n OK NOOP completed"
        ]
    );
    // Its own EXPUNGE too: VANISHED, never `n EXPUNGE`.
    a.cmd("d", "UID STORE 2,6 +FLAGS.SILENT (\\Deleted)");
    let r = a.cmd("x", "EXPUNGE");
    assert_eq!(r, ["* VANISHED 2,6", "x OK EXPUNGE completed"]);
    // The other session, without QRESYNC, gets EXPUNGE for the same: it has UIDs 2, 3, 6;
    // UID 2 is message 1, then UID 6 is message 2 once 2 is gone.
    let r = b.cmd("n", "NOOP");
    assert_eq!(r[..2], ["* 1 EXPUNGE", "* 2 EXPUNGE"], "{r:?}");
}

/// Runs a Python imaplib `script` with the IMAP port, the password and UIDVALIDITY `v` as
/// its arguments; returns what it printed.
fn imaplib(server: &Server, v: u32, script: &str) -> String {
    python_ok(
        script,
        &[
            &server.addr("imap").port().to_string(),
            PASSWORD,
            &v.to_string(),
        ],
    )
}

#[test]
fn imaplib_resyncs_after_another_client_changed_the_mailbox() {
    let (server, v) = changed_behind_the_clients_back();
    let out = imaplib(&server, v, "imap_qresync_resync.py");
    tests::assert_lines(
        &out,
        &[
            "caps True",
            "enable ('OK', [b'ENABLE completed'])",
            "select OK",
            "vanished [b'(EARLIER) 4:5']",
            // Known UIDs 1:5: the new UID 6 is not among them.
            r"fetch [b'2 (UID 2 FLAGS (\\Seen) MODSEQ (7))']",
            "highest [b'10']",
        ],
    );
}

/// The numbers a response line carries after `prefix` up to `)` or `]`: `* STATUS INBOX
/// (HIGHESTMODSEQ 12)` with "HIGHESTMODSEQ " gives 12.
fn number_after(lines: &[String], prefix: &str) -> u64 {
    lines
        .iter()
        .find_map(|l| l.split(prefix).nth(1))
        .and_then(|rest| rest.split([')', ']']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix:?} in {lines:?}"))
}

/// What a client that last saw HIGHESTMODSEQ 6 missed (`changed_behind_the_clients_back`),
/// then more than the 1000 remembered expunges: COPY doubles INBOX (UIDs 1, 2, 3, 6) eight
/// times to 1024 messages, and the 1020 copies (UIDs 7 to 1026) are expunged 255 at a time.
/// The last batch pushes the record over its bound: the first batch and UIDs 4:5 are
/// forgotten. Returns the server, UIDVALIDITY, and the HIGHESTMODSEQ before the last batch.
fn pruned_past_the_clients_modseq() -> (Server, u32, u64) {
    let (server, v) = changed_behind_the_clients_back();
    let mut b = ImapConn::login(server.addr("imap"), "alice");
    b.cmd("s", "SELECT INBOX");
    for i in 0..8 {
        let r = b.cmd(&format!("c{i}"), "COPY 1:* INBOX");
        assert!(r.last().is_some_and(|l| l.contains("OK")), "{r:?}");
        b.cmd(&format!("n{i}"), "NOOP");
    }
    let r = b.cmd("u", "UID SEARCH UID 7:*");
    let copies: Vec<u32> = r[0]
        .trim_start_matches("* SEARCH")
        .split_whitespace()
        .map(|u| u.parse().expect("UID"))
        .collect();
    assert_eq!(copies, (7..=1026).collect::<Vec<u32>>(), "{r:?}");
    let mut before_last = 0;
    for (i, batch) in copies.chunks(255).enumerate() {
        let set = format!("{}:{}", batch[0], batch[batch.len() - 1]);
        before_last = number_after(
            &b.cmd(&format!("h{i}"), "STATUS INBOX (HIGHESTMODSEQ)"),
            "HIGHESTMODSEQ ",
        );
        b.cmd(
            &format!("d{i}"),
            &format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)"),
        );
        let r = b.cmd(&format!("x{i}"), &format!("UID EXPUNGE {set}"));
        assert!(r.last().is_some_and(|l| l.contains("OK")), "{r:?}");
    }
    b.cmd("z", "LOGOUT");
    (server, v, before_last)
}

#[test]
fn a_client_from_before_the_remembered_expunges_is_told_every_uid_not_there() {
    let (server, v, before_last) = pruned_past_the_clients_modseq();
    let mut a = ImapConn::login(server.addr("imap"), "alice");
    a.cmd("e", "ENABLE QRESYNC");
    // Known UIDs 1:5: the same answer as before any pruning (the first test above).
    let r = a.cmd("s1", &format!("SELECT INBOX (QRESYNC ({v} 6 1:5))"));
    assert_eq!(
        after_highestmodseq(&r),
        [
            "* VANISHED (EARLIER) 4:5",
            "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))",
            "s1 OK [READ-WRITE] SELECT completed"
        ],
        "{r:?}"
    );
    // All UIDs: every UID below UIDNEXT not in the mailbox, copies it never saw included
    // (RFC 7162 §3.2.6: it ignores those).
    let r = a.cmd("s2", &format!("SELECT INBOX (QRESYNC ({v} 6))"));
    assert_eq!(
        after_highestmodseq(&r),
        [
            "* VANISHED (EARLIER) 4:5,7:1026",
            "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))",
            "* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
            "s2 OK [READ-WRITE] SELECT completed"
        ],
        "{r:?}"
    );
    // Sequence match data (RFC 7162 §3.2.5.2): messages 1 to 3 still have UIDs 1 to 3, so
    // nothing at or below UID 3 needs telling; here nothing was.
    let r = a.cmd(
        "s3",
        &format!("SELECT INBOX (QRESYNC ({v} 6 1:5 (1:3 1:3)))"),
    );
    assert_eq!(
        after_highestmodseq(&r)[0],
        "* VANISHED (EARLIER) 4:5",
        "{r:?}"
    );
    // UID FETCH with CHANGEDSINCE and VANISHED (§3.2.6): the same, within the set.
    let r = a.cmd("f1", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)");
    assert_eq!(
        r,
        [
            "* VANISHED (EARLIER) 4:5,7:1026",
            "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (7))",
            "* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
            "f1 OK FETCH completed"
        ]
    );
    // A client from before the last batch is still within the record: exactly that batch.
    let r = a.cmd("s4", &format!("SELECT INBOX (QRESYNC ({v} {before_last}))"));
    assert_eq!(
        after_highestmodseq(&r),
        [
            "* VANISHED (EARLIER) 772:1026",
            "s4 OK [READ-WRITE] SELECT completed"
        ],
        "{r:?}"
    );
}

#[test]
fn imaplib_resyncs_from_a_pruned_modseq_to_the_mailbox_as_it_is() {
    let (server, v, _) = pruned_past_the_clients_modseq();
    // The client's cache as of HIGHESTMODSEQ 6: UIDs 1 to 5, no flags. It resyncs without
    // known UIDs, applies VANISHED and FETCH, and compares with a full UID FETCH.
    let out = imaplib(&server, v, "imap_qresync_pruned.py");
    tests::assert_lines(
        &out,
        &[
            "select OK",
            r"cache [(1, ()), (2, ('\\Seen',)), (3, ()), (6, ())]",
            "same True",
        ],
    );
}
