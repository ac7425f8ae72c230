//! DELE, QUIT and the UPDATE state (RFC 1939 §6), the maildrop lock, and the snapshot a
//! session works on while new mail arrives.

use std::time::Duration;

use tests::pop3::{Pop3, deliver, inbox_count, message, server};
use tests::{PASSWORD, wait_for};

#[test]
fn dele_then_quit_deletes_durably_and_drops_the_body_reference() {
    let server = server();
    // One transaction to alice and bob: one body, referenced twice.
    let mut s = tests::SmtpConn::in_transaction(server.smtp, "alice@example.test");
    s.expect("RCPT TO:<bob@example.test>", "250");
    s.cmd("DATA");
    s.send(&message("shared@test"));
    s.expect(".", "250");
    for id in ["b@test", "c@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    let modseq = || -> i64 {
        server
            .sql("SELECT highest_modseq FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE a.address = 'alice@example.test' AND m.name = 'INBOX'")
            .parse()
            .expect("modseq")
    };
    let modseq_before = modseq();
    assert_eq!(
        server.sql("SELECT refcount FROM blobs ORDER BY id LIMIT 1"),
        "2"
    );
    assert_eq!(server.sql("SELECT count(*) FROM blobs"), "3");

    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("DELE 1", "+OK");
    c.expect("DELE 3", "+OK");
    // Nothing is removed before QUIT.
    assert_eq!(inbox_count(&server, "alice@example.test"), 3);
    assert_eq!(c.cmd("QUIT"), "+OK 2 messages deleted, bye");
    assert!(c.is_closed());

    assert_eq!(server.message_ids("alice@example.test"), vec!["<b@test>"]);
    // The shared body lost alice's reference and stays for bob; c's body is gone.
    assert_eq!(
        server.sql("SELECT refcount FROM blobs ORDER BY id LIMIT 1"),
        "1"
    );
    assert_eq!(server.sql("SELECT count(*) FROM blobs"), "2");
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<shared@test>"]
    );
    // The deletion is a change IMAP will report: HIGHESTMODSEQ moved on.
    assert!(modseq() > modseq_before);
}

#[test]
fn a_dropped_connection_after_dele_deletes_nothing() {
    let server = server();
    deliver(&server, "alice@example.test", &message("keep-1@test"));
    deliver(&server, "alice@example.test", &message("keep-2@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("DELE 1", "+OK");
    c.expect("DELE 2", "+OK");
    // No QUIT: the connection just goes away (RFC 1939 §6: no UPDATE without QUIT).
    drop(c);
    // The lock is released once the server notices, and the mail is all there.
    let (_, r) = wait_for(
        Duration::from_secs(5),
        "the maildrop lock's release",
        || {
            let mut c = Pop3::connect(server.addr("pop3"));
            c.cmd("USER alice@example.test");
            let r = c.cmd(&format!("PASS {PASSWORD}"));
            if r.starts_with("+OK") {
                return Some((c, r));
            }
            assert!(r.starts_with("-ERR [IN-USE]"), "{r}");
            None
        },
    );
    assert!(r.starts_with("+OK maildrop has 2 messages"), "{r}");
    assert_eq!(inbox_count(&server, "alice@example.test"), 2);
}

#[test]
fn a_second_session_on_the_same_account_gets_in_use_until_the_first_ends() {
    let server = server();
    let mut first = Pop3::login(server.addr("pop3"), "alice@example.test");
    let mut second = Pop3::connect(server.addr("pop3"));
    second.cmd("USER alice@example.test");
    // RFC 2449 §8.1.1: the maildrop is locked by the first session.
    assert_eq!(
        second.cmd(&format!("PASS {PASSWORD}")),
        "-ERR [IN-USE] the maildrop is in use by another POP3 session"
    );
    // Another account is not affected.
    second.cmd("USER bob@example.test");
    second.expect(&format!("PASS {PASSWORD}"), "+OK");
    first.expect("QUIT", "+OK");
    assert!(first.is_closed());
    let mut third = Pop3::connect(server.addr("pop3"));
    third.cmd("USER alice@example.test");
    third.expect(&format!("PASS {PASSWORD}"), "+OK");
}

#[test]
fn mail_arriving_during_a_session_does_not_change_its_maildrop() {
    let server = server();
    deliver(&server, "alice@example.test", &message("before@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let stat = c.expect("STAT", "+OK 1 ");
    // Mail arrives over SMTP while the session runs, several sessions at once.
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let smtp = server.smtp;
            std::thread::spawn(move || {
                let mut s = tests::SmtpConn::in_transaction(smtp, "alice@example.test");
                s.data(
                    format!(
                        "Subject: during {i}\r\nMessage-ID: <during-{i}@test>\r\n\r\nx\r\n.\r\n"
                    )
                    .as_bytes(),
                    "250",
                );
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("delivery thread");
    }
    assert_eq!(inbox_count(&server, "alice@example.test"), 5);
    // Message numbers stay fixed for the session (RFC 1939 §5).
    assert_eq!(c.cmd("STAT"), stat);
    let (_, listing) = c.multi("LIST");
    assert_eq!(
        listing
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        1
    );
    assert_eq!(c.cmd("RETR 2"), "-ERR no such message");
    c.expect("DELE 1", "+OK");
    c.expect("QUIT", "+OK");
    // QUIT deleted only what it marked; the new mail is there for the next session.
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("STAT", "+OK 4 ");
}
