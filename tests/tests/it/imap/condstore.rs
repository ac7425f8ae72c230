//! CONDSTORE (RFC 7162 §3.1): MODSEQ per message and HIGHESTMODSEQ per mailbox, FETCH MODSEQ
//! and CHANGEDSINCE, STORE UNCHANGEDSINCE with [MODIFIED], SEARCH MODSEQ, STATUS
//! HIGHESTMODSEQ, MODSEQ in unsolicited FETCH once enabled. Exact exchanges on a raw
//! connection, and Python's IMAPClient as a real client.
//!
//! Every mailbox starts at HIGHESTMODSEQ 1 and each change takes the next value, so the three
//! messages delivered first have MODSEQ 2, 3 and 4.

use tests::Server;
use tests::imap::{ImapConn, deliver, message, server};

/// The server with three messages in alice's INBOX (UIDs 1-3, MODSEQ 2-4).
fn three_messages() -> Server {
    let server = server();
    for id in ["c1@test", "c2@test", "c3@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    server
}

#[test]
fn select_condstore_fetch_modseq_and_changedsince() {
    let server = three_messages();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    let r = c.cmd("s1", "SELECT INBOX (CONDSTORE)");
    assert!(
        r.contains(&"* OK [HIGHESTMODSEQ 4] modseq".to_string()),
        "{r:?}"
    );
    let r = c.cmd("f1", "FETCH 1:* (UID MODSEQ)");
    assert_eq!(
        r[..3],
        [
            "* 1 FETCH (UID 1 MODSEQ (2))",
            "* 2 FETCH (UID 2 MODSEQ (3))",
            "* 3 FETCH (UID 3 MODSEQ (4))"
        ],
        "{r:?}"
    );
    let r = c.cmd("st", "STORE 2 +FLAGS (\\Flagged)");
    // CONDSTORE is on (SELECT (CONDSTORE)): the STORE's FETCH carries the new MODSEQ.
    // The first session to select the new mail sees it as \Recent (RFC 3501 §2.3.2).
    assert_eq!(
        r[0], "* 2 FETCH (MODSEQ (5) FLAGS (\\Recent \\Flagged))",
        "{r:?}"
    );
    // CHANGEDSINCE 4: only message 2 changed after 4; MODSEQ is implied (§3.1.4.1).
    let r = c.cmd("f2", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4)");
    assert_eq!(
        r,
        [
            "* 2 FETCH (UID 2 FLAGS (\\Recent \\Flagged) MODSEQ (5))",
            "f2 OK FETCH completed"
        ]
    );
    let r = c.cmd("f3", "FETCH 1:* (FLAGS) (CHANGEDSINCE 5)");
    assert_eq!(r, ["f3 OK FETCH completed"]);
    // A modifier without its value.
    c.expect("f4", "FETCH 1:* (FLAGS) (CHANGEDSINCE)", "BAD");
    // VANISHED needs UID FETCH and ENABLE QRESYNC (RFC 7162 §3.2.6).
    c.expect(
        "f5",
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)",
        "BAD",
    );
    // SEARCH MODSEQ reports the highest MODSEQ of the messages found (§3.1.5).
    let r = c.cmd("se", "SEARCH MODSEQ 4");
    assert_eq!(r[0], "* SEARCH 2 3 (MODSEQ 5)", "{r:?}");
    let r = c.cmd("es", "UID SEARCH RETURN (COUNT) MODSEQ 5");
    assert_eq!(r[0], "* ESEARCH (TAG \"es\") UID COUNT 1 MODSEQ 5", "{r:?}");
    let r = c.cmd("sx", "STATUS Trash (HIGHESTMODSEQ MESSAGES)");
    assert_eq!(
        r[0], "* STATUS \"Trash\" (HIGHESTMODSEQ 1 MESSAGES 0)",
        "{r:?}"
    );
}

#[test]
fn store_unchangedsince_leaves_newer_messages_and_answers_modified() {
    let server = three_messages();
    let mut a = ImapConn::login(server.addr("imap"), "alice");
    let mut b = ImapConn::login(server.addr("imap"), "alice");
    a.cmd("s", "SELECT INBOX");
    b.cmd("s", "SELECT INBOX");
    // Another client changes message 2: its MODSEQ becomes 5.
    b.cmd("x", "STORE 2 +FLAGS.SILENT ($Label)");
    // Stored only where MODSEQ <= 4: messages 1 and 3; 2 is MODIFIED (UIDs for UID STORE).
    // .SILENT under CONDSTORE still tells the new MODSEQs (RFC 7162 §3.1.3 example 3).
    let r = a.cmd(
        "u1",
        "UID STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS.SILENT (\\Seen)",
    );
    assert_eq!(
        r,
        [
            // The first CONDSTORE enabling command tells HIGHESTMODSEQ (RFC 7162 §3.1).
            "* OK [HIGHESTMODSEQ 4] modseq",
            "* 1 FETCH (UID 1 MODSEQ (6))",
            "* 3 FETCH (UID 3 MODSEQ (6))",
            // RFC 3501 §7.2.6: the keyword b set is announced before it is shown; `a`
            // selected first, so the mail is \Recent to it.
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label \\*)] flags",
            "* 2 FETCH (UID 2 MODSEQ (5) FLAGS (\\Recent $Label))",
            "u1 OK [MODIFIED 2] conditional STORE completed"
        ],
        "{r:?}"
    );
    // By number: the MODIFIED set names message numbers. UNCHANGEDSINCE 0 always fails,
    // since every MODSEQ is at least 1.
    let r = a.cmd("u2", "STORE 1,3 (UNCHANGEDSINCE 0) FLAGS (\\Draft)");
    assert_eq!(
        r,
        ["u2 OK [MODIFIED 1,3] conditional STORE completed"],
        "{r:?}"
    );
    let r = a.cmd("u3", "STORE 3 (UNCHANGEDSINCE 6) -FLAGS (\\Seen)");
    assert_eq!(
        r,
        [
            "* 3 FETCH (MODSEQ (7) FLAGS (\\Recent))",
            "u3 OK STORE completed"
        ],
        "{r:?}"
    );
    // An unknown STORE modifier.
    a.expect("u4", "STORE 1 (SOMETHING 1) +FLAGS (\\Seen)", "BAD");
}

#[test]
fn unsolicited_flag_changes_carry_modseq_only_once_enabled() {
    let server = three_messages();
    let mut a = ImapConn::login(server.addr("imap"), "alice");
    let mut b = ImapConn::login(server.addr("imap"), "alice");
    a.cmd("s", "SELECT INBOX");
    b.cmd("s", "SELECT INBOX");
    b.cmd("x", "STORE 1 +FLAGS.SILENT (\\Seen)");
    let r = a.cmd("n1", "NOOP");
    assert_eq!(r[0], "* 1 FETCH (UID 1 FLAGS (\\Recent \\Seen))", "{r:?}");
    let r = a.cmd("e", "ENABLE CONDSTORE");
    assert_eq!(r[0], "* ENABLED CONDSTORE", "{r:?}");
    b.cmd("y", "STORE 3 +FLAGS.SILENT (\\Answered)");
    let r = a.cmd("n2", "NOOP");
    assert_eq!(
        r[0], "* 3 FETCH (UID 3 MODSEQ (6) FLAGS (\\Recent \\Answered))",
        "{r:?}"
    );
}

#[test]
fn imapclient_uses_condstore() {
    let server = three_messages();
    let out = tests::imap::run_script(&server, "imap_condstore_imapclient.py");
    tests::assert_lines(
        &out,
        &[
            "caps True True",
            "enable [b'CONDSTORE']",
            "highest 4",
            "changed [(2, (b'\\\\Recent', b'\\\\Flagged'), (5,))]",
            "search [2] 5",
            "status {b'HIGHESTMODSEQ': 5}",
        ],
    );
}
