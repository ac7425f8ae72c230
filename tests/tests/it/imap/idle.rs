//! IDLE (RFC 2177) and what other sessions do: mail arriving over SMTP wakes an IDLE client
//! with EXISTS; a POP3 client's DELE + QUIT shows up as EXPUNGE, in IDLE or at NOOP.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use tests::PASSWORD;
use tests::imap::{ImapConn, deliver, message, server};

#[test]
fn idle_client_hears_of_mail_delivered_over_smtp_at_once() {
    let server = server();
    deliver(&server, "alice@example.test", &message("first@test"));
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    let r = c.cmd("s", "SELECT INBOX");
    assert!(r.contains(&"* 1 EXISTS".to_string()), "{r:?}");
    c.send(b"i IDLE\r\n");
    assert_eq!(c.line(), "+ idling");
    deliver(&server, "alice@example.test", &message("second@test"));
    // Pushed without the client asking.
    assert_eq!(c.line(), "* 2 EXISTS");
    // RFC 3501 §7.3.2: and, to an IMAP4rev1 client, how many are recent.
    assert_eq!(c.line(), "* 2 RECENT");
    c.send(b"DONE\r\n");
    assert_eq!(c.line(), "i OK IDLE terminated");
    let r = c.cmd("f", "UID FETCH 2 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
    assert!(r.iter().any(|l| l.contains("<second@test>")), "{r:?}");
}

#[test]
fn pop3_deletion_shows_up_as_expunge_in_idle_and_at_noop() {
    let server = server();
    for id in ["a@test", "b@test", "c@test"] {
        deliver(&server, "bob@example.test", &message(id));
    }
    let mut idle = ImapConn::login(server.addr("imap"), "bob");
    idle.cmd("s", "SELECT INBOX");
    let mut other = ImapConn::login(server.addr("imap"), "bob");
    other.cmd("s", "SELECT INBOX");
    idle.send(b"i IDLE\r\n");
    assert_eq!(idle.line(), "+ idling");

    // POP3 deletes message 2 (UID 2) at QUIT.
    let pop = TcpStream::connect(server.addr("pop3")).expect("pop3");
    pop.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut pop = imap_support_pop(pop);
    pop.expect_ok();
    pop.cmd("USER bob@example.test");
    pop.cmd(&format!("PASS {PASSWORD}"));
    pop.cmd("DELE 2");
    pop.cmd("QUIT");

    assert_eq!(idle.line(), "* 2 EXPUNGE");
    idle.send(b"DONE\r\n");
    assert_eq!(idle.line(), "i OK IDLE terminated");
    // The session that was not idling hears of it at its next NOOP.
    let r = other.cmd("n", "NOOP");
    assert_eq!(r, vec!["* 2 EXPUNGE", "n OK NOOP completed"]);
    // Numbers were renumbered: message 2 is now UID 3.
    let r = other.cmd("f", "FETCH 2 (UID)");
    assert_eq!(r[0], "* 2 FETCH (UID 3)");
}

#[test]
fn flags_stored_by_one_session_reach_another_at_noop() {
    let server = server();
    deliver(&server, "dave@example.test", &message("f@test"));
    let mut a = ImapConn::login(server.addr("imap"), "dave");
    let mut b = ImapConn::login(server.addr("imap"), "dave");
    a.cmd("s", "SELECT INBOX");
    b.cmd("s", "SELECT INBOX");
    let r = a.cmd("t", "STORE 1 +FLAGS (\\Flagged)");
    // `a` selected first: the message is \Recent to it alone (RFC 3501 §2.3.2).
    assert_eq!(r[0], "* 1 FETCH (FLAGS (\\Recent \\Flagged))");
    let r = b.cmd("n", "NOOP");
    assert_eq!(
        r,
        vec!["* 1 FETCH (UID 1 FLAGS (\\Flagged))", "n OK NOOP completed"]
    );
}

/// A minimal POP3 line client.
struct Pop(std::io::BufReader<TcpStream>, TcpStream);

fn imap_support_pop(stream: TcpStream) -> Pop {
    Pop(
        std::io::BufReader::new(stream.try_clone().expect("clone")),
        stream,
    )
}

impl Pop {
    fn expect_ok(&mut self) {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut self.0, &mut line).expect("read");
        assert!(line.starts_with("+OK"), "{line}");
    }

    fn cmd(&mut self, command: &str) {
        self.1
            .write_all(format!("{command}\r\n").as_bytes())
            .expect("write");
        self.expect_ok();
    }
}
