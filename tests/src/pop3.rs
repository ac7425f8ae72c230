//! What the POP3 test files share: a server with pop3 and pop3s, delivery over SMTP, the
//! stored bytes of a message, and a raw POP3 connection for exact exchanges.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::{Options, PASSWORD, Server, SmtpConn, Wire, python_ok};

/// The fixture server with POP3 on 110 (here: a free port) and 995.
pub fn server() -> Server {
    server_with(&[])
}

/// The same with extra `[limits]` lines.
pub fn server_with(limits: &[&str]) -> Server {
    Server::with(Options {
        services: vec!["pop3".into(), "pop3s".into()],
        limits: limits.iter().map(|l| l.to_string()).collect(),
        ..Options::default()
    })
}

/// Delivers `message` (CRLF lines) to `rcpt` over SMTP on port 25, dot-stuffing it.
pub fn deliver(server: &Server, rcpt: &str, message: &[u8]) {
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail(rcpt);
    assert!(c.cmd("DATA").starts_with("354"));
    let mut wire = Vec::with_capacity(message.len() + 16);
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            wire.push(b'.');
        }
        wire.extend_from_slice(line);
    }
    wire.extend_from_slice(b".\r\n");
    c.send(&wire);
    let r = c.reply();
    assert!(r.starts_with("250"), "DATA: {r}");
    c.cmd("QUIT");
}

/// A small message with a Message-ID and subject.
pub fn message(id: &str) -> Vec<u8> {
    crate::message(id, id).into_bytes()
}

/// The stored bytes of `account`'s INBOX message `uid`, read from the database with
/// Python's sqlite3 (an independent reader).
pub fn stored(server: &Server, account: &str, uid: u32) -> Vec<u8> {
    let out = server.dir.path().join(format!("stored-{uid}.eml"));
    python_ok(
        "pop3_stored.py",
        &[
            server
                .dir
                .path()
                .join("postroom.db")
                .to_str()
                .expect("path"),
            account,
            &uid.to_string(),
            out.to_str().expect("path"),
        ],
    );
    std::fs::read(out).expect("stored message")
}

/// How many messages `account` has in its INBOX.
pub fn inbox_count(server: &Server, account: &str) -> usize {
    server
        .sql(&format!(
            "SELECT count(*) FROM messages m JOIN mailboxes x ON x.id = m.mailbox_id \
             JOIN accounts a ON a.id = x.account_id WHERE a.address = '{account}' AND x.name = 'INBOX'"
        ))
        .parse()
        .expect("count")
}

/// The resident memory of process `pid` in KiB, from /proc/PID/statm (pages of 4 KiB).
pub fn resident_kib(pid: u32) -> u64 {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap_or_default();
    let pages: u64 = statm
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    pages * 4
}

/// Runs the fixture `script` with the pop3 port and the fixture password as its arguments
/// (a Python client: poplib); returns its stdout.
pub fn run_script(server: &Server, script: &str) -> String {
    let port = server.addr("pop3").port().to_string();
    crate::python_ok(script, &[&port, PASSWORD])
}

/// A raw POP3 connection: bytes out exactly as given, responses in as they come.
pub struct Pop3 {
    wire: Wire,
}

impl Pop3 {
    /// Connects and reads the greeting.
    pub fn connect(addr: SocketAddr) -> Pop3 {
        let mut conn = Pop3 {
            wire: Wire::connect(addr, Duration::from_secs(30)),
        };
        let greeting = conn.line();
        assert!(greeting.starts_with("+OK"), "greeting: {greeting}");
        conn
    }

    /// Connects and logs in with USER/PASS.
    pub fn login(addr: SocketAddr, user: &str) -> Pop3 {
        let mut conn = Pop3::connect(addr);
        assert!(conn.cmd(&format!("USER {user}")).starts_with("+OK"));
        let r = conn.cmd(&format!("PASS {PASSWORD}"));
        assert!(r.starts_with("+OK"), "PASS: {r}");
        conn
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.wire.send(bytes);
    }

    /// Sends a command (CRLF added) and returns its first response line.
    pub fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        self.line()
    }

    /// Sends a command; asserts that its first response line starts with `status`; returns it.
    pub fn expect(&mut self, line: &str, status: &str) -> String {
        let r = self.cmd(line);
        assert!(r.starts_with(status), "{line}: {r}");
        r
    }

    /// Sends a command with a multi-line answer: the first line, and (after `+OK`) the body
    /// with dot-stuffing undone, byte-exact.
    pub fn multi(&mut self, line: &str) -> (String, Vec<u8>) {
        let first = self.cmd(line);
        if !first.starts_with("+OK") {
            return (first, Vec::new());
        }
        (first, self.body())
    }

    /// [`Pop3::multi`] for a command that must succeed: asserts `+OK`; the body.
    pub fn expect_multi(&mut self, line: &str) -> Vec<u8> {
        let (first, body) = self.multi(line);
        assert!(first.starts_with("+OK"), "{line}: {first}");
        body
    }

    /// Reads a multi-line body up to its `.` line, undoing the dot-stuffing.
    pub fn body(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let line = self.raw_line().expect("body line before end of data");
            if line == b".\r\n" {
                return body;
            }
            let line = line.strip_prefix(b".").unwrap_or(&line);
            body.extend_from_slice(line);
        }
    }

    /// One response line without its CRLF; empty at EOF.
    pub fn line(&mut self) -> String {
        self.raw_line()
            .map(|l| String::from_utf8_lossy(&l).trim_end().to_string())
            .unwrap_or_default()
    }

    /// One line with its line ending, or `None` at EOF.
    pub fn raw_line(&mut self) -> Option<Vec<u8>> {
        self.wire.raw_line()
    }

    /// True when the server closed the connection (reads EOF).
    pub fn is_closed(&mut self) -> bool {
        self.raw_line().is_none()
    }

    pub fn stream(&self) -> &TcpStream {
        self.wire.stream()
    }
}
