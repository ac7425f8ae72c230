//! Hostile and broken input: over-long lines, commands in the wrong state, message numbers
//! that do not exist, garbage, error floods, silent clients. Each gets a clear `-ERR` (or a
//! closed connection), and the server stays up.

use std::time::{Duration, Instant};

use tests::PASSWORD;
use tests::pop3::{Pop3, deliver, inbox_count, message, resident_kib, server, server_with};

#[test]
fn an_overlong_line_is_refused_without_being_buffered() {
    let server = server();
    let before = resident_kib(server.pid());
    let mut c = Pop3::connect(server.addr("pop3"));
    c.send(b"USER ");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..10 {
        c.send(&chunk);
    }
    c.send(b"\r\n");
    // Ten megabytes on one line: refused as a whole, and thrown away as it streamed in.
    assert_eq!(c.line(), "-ERR line too long");
    let after = resident_kib(server.pid());
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
    // A line past RFC 2449's 255 octets but within our limit is still taken (SASL needs it).
    let long_name = format!("USER {}@example.test", "x".repeat(600));
    c.expect(&long_name, "+OK");
    c.expect("QUIT", "+OK");
}

#[test]
fn commands_in_the_wrong_state_are_refused() {
    let server = server();
    deliver(&server, "alice@example.test", &message("state@test"));
    let mut c = Pop3::connect(server.addr("pop3"));
    // TRANSACTION commands before login.
    for cmd in [
        "STAT", "LIST", "RETR 1", "DELE 1", "TOP 1 1", "UIDL", "RSET", "NOOP",
    ] {
        assert_eq!(c.cmd(cmd), "-ERR log in first", "{cmd}");
    }
    // PASS must follow a successful USER (RFC 1939 §7).
    assert_eq!(c.cmd(&format!("PASS {PASSWORD}")), "-ERR send USER first");
    c.expect("USER alice@example.test", "+OK");
    c.expect(&format!("PASS {PASSWORD}"), "+OK");
    // AUTHORIZATION commands after login.
    for cmd in [
        "USER bob@example.test",
        "PASS x",
        "AUTH PLAIN",
        "STLS",
        "UTF8",
        "APOP a b",
    ] {
        assert_eq!(c.cmd(cmd), "-ERR not allowed after login", "{cmd}");
    }
    // The session still works.
    c.expect("STAT", "+OK 1 ");
}

#[test]
fn nonexistent_and_malformed_message_numbers_are_refused() {
    let server = server();
    deliver(&server, "alice@example.test", &message("n@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    for cmd in [
        "RETR 0",
        "RETR 2",
        "RETR 4294967295",
        "RETR 99999999999999999999",
        "DELE 2",
        "LIST 7",
        "UIDL 0",
        "TOP 5 0",
    ] {
        // Numbers start at 1 and end at the maildrop's size (RFC 1939 §5).
        assert_eq!(c.cmd(cmd), "-ERR no such message", "{cmd}");
    }
    for cmd in [
        "RETR", "RETR x", "RETR -1", "DELE 1 2", "TOP 1", "LIST 1 2", "STAT 1",
    ] {
        let r = c.cmd(cmd);
        assert!(r.starts_with("-ERR syntax error"), "{cmd}: {r}");
    }
    // Unknown commands, control characters and non-UTF-8 bytes.
    assert_eq!(c.cmd("XTND XMIT"), "-ERR unknown command");
    c.expect("USER a\rb", "-ERR");
    c.send(b"\xff\xfe\x00\r\n");
    assert!(c.line().starts_with("-ERR syntax error"));
    // Nothing was marked: message 1 is intact.
    c.expect("RETR 1", "+OK");
    let _ = c.body();
    c.expect("QUIT", "+OK");
    assert_eq!(inbox_count(&server, "alice@example.test"), 1);
}

#[test]
fn pipelined_commands_are_answered_in_order() {
    let server = server();
    deliver(&server, "alice@example.test", &message("pipe@test"));
    let mut c = Pop3::connect(server.addr("pop3"));
    // RFC 2449 §6.6: the client may send many commands at once.
    c.send(
        format!("USER alice@example.test\r\nPASS {PASSWORD}\r\nSTAT\r\nLIST\r\nRETR 1\r\nBOGUS\r\nQUIT\r\n")
            .as_bytes(),
    );
    assert!(c.line().starts_with("+OK"));
    assert!(c.line().starts_with("+OK maildrop has 1"));
    assert!(c.line().starts_with("+OK 1 "));
    assert!(c.line().starts_with("+OK 1 messages"));
    assert!(!c.body().is_empty());
    assert!(c.line().starts_with("+OK"));
    let retr = c.body();
    assert!(String::from_utf8_lossy(&retr).contains("<pipe@test>"));
    assert_eq!(c.line(), "-ERR unknown command");
    assert_eq!(c.line(), "+OK bye");
    assert!(c.is_closed());
}

#[test]
fn too_many_errors_close_the_connection() {
    let server = server_with(&["max_errors = 3"]);
    let mut c = Pop3::connect(server.addr("pop3"));
    for _ in 0..3 {
        assert_eq!(c.cmd("BOGUS"), "-ERR unknown command");
    }
    // The fourth error is one too many.
    assert_eq!(c.cmd("BOGUS"), "-ERR unknown command");
    assert_eq!(c.line(), "-ERR too many errors, closing connection");
    assert!(c.is_closed());
    // The server is fine.
    let mut c = Pop3::login(server.addr("pop3"), "bob@example.test");
    c.expect("STAT", "+OK");
}

#[test]
fn a_silent_client_is_disconnected_without_update() {
    let server = server_with(&["pop3_idle_timeout_secs = 2"]);
    deliver(&server, "alice@example.test", &message("idle@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("DELE 1", "+OK");
    let started = Instant::now();
    // RFC 1939 §3: the autologout timer closes the connection without a response and
    // without entering UPDATE, so the marked message stays.
    assert!(c.is_closed());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(1500), "{waited:?}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    assert_eq!(inbox_count(&server, "alice@example.test"), 1);
    // The lock went with the session.
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("STAT", "+OK 1 ");
}
