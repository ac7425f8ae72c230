//! Hostile and wrong input: huge literal announcements refused without reading them, an
//! over-long line, commands in the wrong state. The server answers and stays up.

use tests::PASSWORD;
use tests::imap::{ImapConn, server};

#[test]
fn an_over_large_literal_is_refused_without_being_read() {
    let server = server();
    let (mut c, _) = ImapConn::connect(server.addr("imap"));
    // Before login literals are small (8 KiB): 4 GiB is refused before a byte is sent.
    c.send(b"a LOGIN {4294967295}\r\n");
    assert_eq!(c.line(), "a NO [TOOBIG] literal too large");
    // The connection still works.
    let r = c.cmd("b", "NOOP");
    assert_eq!(r, vec!["b OK NOOP completed"]);
    // After login the limit is the message size (50 MiB by default).
    c.expect("c", &format!("LOGIN alice@example.test {PASSWORD}"), "OK");
    c.send(b"d APPEND INBOX {4294967295}\r\n");
    assert_eq!(c.line(), "d NO [TOOBIG] literal too large");
    // A non-synchronizing literal is already on its way: the only safe answer is BYE
    // (RFC 7888 §4).
    c.send(b"e APPEND INBOX {4294967295+}\r\nxxxxxxxx");
    assert_eq!(c.line(), "* BYE literal too large");
    assert!(c.is_closed());
}

#[test]
fn an_over_long_line_is_refused_and_the_session_goes_on() {
    let server = server();
    let (mut c, _) = ImapConn::connect(server.addr("imap"));
    // 1 MiB without a line end: over the 32 KiB line limit before login.
    let mut line = b"a LOGIN ".to_vec();
    line.extend(std::iter::repeat_n(b'x', 1 << 20));
    line.extend_from_slice(b"\r\n");
    c.send(&line);
    assert_eq!(c.line(), "a BAD line too long");
    let r = c.cmd("b", "NOOP");
    assert_eq!(r, vec!["b OK NOOP completed"]);
}

#[test]
fn commands_in_the_wrong_state_are_refused() {
    let server = server();
    let (mut c, _) = ImapConn::connect(server.addr("imap"));
    // Not logged in yet.
    assert_eq!(
        c.cmd("a", "SELECT INBOX"),
        vec!["a BAD SELECT log in first"]
    );
    // No mailbox selected.
    c.cmd("l", &format!("LOGIN alice@example.test {PASSWORD}"));
    assert_eq!(
        c.cmd("b", "FETCH 1 FLAGS"),
        vec!["b BAD FETCH select a mailbox first"]
    );
    // Already logged in.
    assert_eq!(
        c.cmd("c", &format!("LOGIN alice@example.test {PASSWORD}")),
        vec!["c BAD LOGIN already logged in"]
    );
    // A message number that does not exist (RFC 9051 §6.4.8).
    c.cmd("s", "SELECT INBOX");
    assert_eq!(c.cmd("d", "FETCH 5 FLAGS"), vec!["d BAD no such message"]);
    // Garbage, and deep nesting.
    assert_eq!(c.cmd("e", "FROB"), vec!["e BAD unknown command"]);
    let deep = format!("SEARCH {}ALL{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(c.cmd("f", &deep), vec!["f BAD nested too deeply"]);
    // A wrong password: NO, with the reason code.
    let r = c.cmd("g", "LOGOUT");
    assert_eq!(r[0], "* BYE logging out");
    let (mut c, _) = ImapConn::connect(server.addr("imap"));
    assert_eq!(
        c.cmd("h", "LOGIN alice@example.test wrong-password"),
        vec!["h NO [AUTHENTICATIONFAILED] invalid user name or password"]
    );
}
