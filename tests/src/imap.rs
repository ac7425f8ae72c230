//! What the IMAP test files share: a server with imap, imaps and pop3, delivery over SMTP
//! (from the POP3 support module), and a raw IMAP connection for exact exchanges.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub use crate::pop3::{deliver, message, stored};
use crate::{Options, PASSWORD, Server};

/// The fixture server with IMAP on 143 and 993 (here: free ports), and POP3.
pub fn server() -> Server {
    Server::with(Options {
        services: vec!["imap".into(), "imaps".into(), "pop3".into()],
        ..Options::default()
    })
}

/// Runs the fixture `script` with the imap port and the fixture password as its arguments
/// (a Python client: imaplib or IMAPClient); returns its stdout.
pub fn run_script(server: &Server, script: &str) -> String {
    let port = server.addr("imap").port().to_string();
    crate::python_ok(script, &[&port, PASSWORD])
}

/// A raw IMAP connection, line by line.
pub struct ImapConn {
    reader: BufReader<TcpStream>,
    stream: TcpStream,
}

impl ImapConn {
    /// Connects and reads the greeting.
    pub fn connect(addr: SocketAddr) -> (ImapConn, String) {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut c = ImapConn {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            stream,
        };
        let greeting = c.line();
        (c, greeting)
    }

    /// Connects and logs in as `user`@example.test.
    pub fn login(addr: SocketAddr, user: &str) -> ImapConn {
        let (mut c, _) = ImapConn::connect(addr);
        let r = c.cmd("l1", &format!("LOGIN {user}@example.test {PASSWORD}"));
        assert!(r.last().is_some_and(|l| l.starts_with("l1 OK")), "{r:?}");
        c
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// One line without CRLF; empty at EOF.
    pub fn line(&mut self) -> String {
        let mut buf = Vec::new();
        let _ = self.reader.read_until(b'\n', &mut buf);
        String::from_utf8_lossy(&buf).trim_end().to_string()
    }

    /// Sends `tag command` and reads every line up to the tagged response.
    pub fn cmd(&mut self, tag: &str, command: &str) -> Vec<String> {
        self.send(format!("{tag} {command}\r\n").as_bytes());
        self.until(tag)
    }

    /// Sends `tag command`; asserts that the first reply line starts with `tag status` (the
    /// tagged answer, where the command has no untagged data); returns the lines.
    pub fn expect(&mut self, tag: &str, command: &str, status: &str) -> Vec<String> {
        let r = self.cmd(tag, command);
        assert!(
            r[0].starts_with(&format!("{tag} {status}")),
            "{command}: {r:?}"
        );
        r
    }

    /// Reads lines up to (and including) the one starting with `tag `.
    pub fn until(&mut self, tag: &str) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let line = self.line();
            if line.is_empty() {
                lines.push("<EOF>".into());
                return lines;
            }
            let done = line.starts_with(&format!("{tag} "));
            lines.push(line);
            if done {
                return lines;
            }
        }
    }

    /// APPENDs `message` to INBOX with a synchronizing literal (RFC 9051 §6.3.12, §4.3).
    pub fn append(&mut self, tag: &str, message: &[u8]) {
        self.append_to(tag, "INBOX", "", message);
    }

    /// APPENDs `message` to `mailbox` with `options` before the literal (a flag list and
    /// an internal date, e.g. `(\Seen) "07-Dec-2026 10:00:00 +0000" `).
    pub fn append_to(&mut self, tag: &str, mailbox: &str, options: &str, message: &[u8]) {
        self.send(format!("{tag} APPEND {mailbox} {options}{{{}}}\r\n", message.len()).as_bytes());
        let go = self.line();
        assert!(go.starts_with('+'), "{go}");
        self.send(message);
        self.send(b"\r\n");
        let r = self.until(tag);
        assert!(r.last().is_some_and(|l| l.contains(" OK")), "{r:?}");
    }

    /// Whether the server closed the connection.
    pub fn is_closed(&mut self) -> bool {
        let mut buf = Vec::new();
        matches!(self.reader.read_until(b'\n', &mut buf), Ok(0) | Err(_)) && buf.is_empty()
    }
}
