//! What the collection tests share: Dovecot as the "ISP mailbox" (`dovecot.rs`), a TCP
//! proxy that cuts its first connection after a number of bytes, and the Postroom side (a
//! server with `[[collect]]` jobs, its status read through the admin API with Python's
//! urllib).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{Options, Server, poll_until};

pub use crate::pop3::inbox_count;

pub use crate::dovecot::{Dovecot, PASSWORD};

/// A test message: Message-ID `<collect-N@remote.test>`, about 1.5 KB, with lines that test
/// the framing: a leading dot (POP3 dot-stuffing), a lone dot, and lines that look like an
/// IMAP tagged answer and a closing parenthesis (inside an IMAP literal). LF line ends, as
/// Maildir files usually have.
pub fn message(n: usize, headers: &str) -> Vec<u8> {
    let mut text = format!(
        "Return-Path: <sender@remote.test>\n{headers}From: Sender <sender@remote.test>\n\
         Subject: collected {n}\nMessage-ID: <collect-{n}@remote.test>\n\
         Date: Fri, 27 Nov 2026 10:00:00 +0000\n\n\
         .leading dot line\n.\n)\nC5 OK not really the end\n"
    );
    for i in 0..20 {
        text.push_str(&format!(
            "line {i} of message {n}: the quick brown fox jumps over the lazy dog\n"
        ));
    }
    text.into_bytes()
}

/// Dovecot (with TLS when `tls`) whose mailbox `office` holds the [`message`]s numbered
/// `numbers`, each with `headers`.
pub fn office(tls: bool, numbers: std::ops::Range<usize>, headers: &str) -> Dovecot {
    let dovecot = Dovecot::start(&["office"], tls);
    for n in numbers {
        dovecot.put("office", n, &message(n, headers));
    }
    dovecot
}

/// A proxy to `upstream` that cuts its first connection after `limit` bytes from the
/// server; later connections pass everything. Returns its port and the connection count.
pub fn cutting_proxy(upstream: u16, limit: usize) -> (u16, Arc<AtomicUsize>) {
    proxy(upstream, limit, false)
}

/// As [`cutting_proxy`], but the first connection stalls after `limit` bytes (open, nothing
/// more passed) until the client hangs up: a run that is going on until it is stopped.
pub fn stalling_proxy(upstream: u16, limit: usize) -> (u16, Arc<AtomicUsize>) {
    proxy(upstream, limit, true)
}

fn proxy(upstream: u16, limit: usize, stall: bool) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let port = listener.local_addr().expect("addr").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue;
            };
            let first = count.fetch_add(1, Ordering::SeqCst) == 0;
            let limit = if first { limit } else { usize::MAX };
            let (mut c_read, mut s_write) = (
                client.try_clone().expect("clone"),
                server.try_clone().expect("clone"),
            );
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = s_write.shutdown(Shutdown::Write);
            });
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let mut sent = 0usize;
                while let Ok(n) = s_read.read(&mut buf) {
                    let n = n.min(limit - sent);
                    if n == 0 || c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent += n;
                    if sent == limit {
                        break;
                    }
                }
                // Held open: the server's further answers are dropped until it hangs up.
                while stall && matches!(s_read.read(&mut buf), Ok(n) if n > 0) {}
                // The cut: both directions, as a dropped line would.
                let _ = c_write.shutdown(Shutdown::Both);
                let _ = s_read.shutdown(Shutdown::Both);
            });
        }
    });
    (port, connections)
}

/// A Postroom server (the fixture accounts) with `[[collect]]` tables and the admin API.
pub fn postroom(collect_toml: &str) -> (Server, String) {
    let server = Server::with(Options {
        services: vec!["admin".into()],
        extra_toml: collect_toml.into(),
        ..Options::default()
    });
    let token = server.ok(&["admin", "token"]).trim().to_string();
    (server, token)
}

/// One job's status from `GET /api/collect` (parsed JSON).
pub struct Status(serde_json::Value);

impl Status {
    /// A scalar field as text: a string's value, `null`, or the number.
    pub fn get(&self, key: &str) -> String {
        match self.0.get(key) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(value) => value.to_string(),
            None => panic!("{key} missing in status:\n{:#}", self.0),
        }
    }

    /// A boolean field (e.g. `running`).
    pub fn flag(&self, key: &str) -> bool {
        self.0[key]
            .as_bool()
            .unwrap_or_else(|| panic!("{key} is no boolean in status:\n{:#}", self.0))
    }

    pub fn number(&self, key: &str) -> u64 {
        self.0[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} is no number in status:\n{:#}", self.0))
    }
}

pub fn status(server: &Server, token: &str, index: usize) -> Status {
    let (code, text) = crate::ddns::api(server, token, "GET", "/api/collect", "");
    assert_eq!(code, 200, "{text}");
    let mut jobs = crate::json(&text);
    Status(jobs[index].take())
}

/// Waits (up to 3 minutes, then fails) until job `index` has finished a run that started
/// after `runs_before` runs and `done` holds.
pub fn wait_for(
    server: &Server,
    token: &str,
    index: usize,
    what: &str,
    mut done: impl FnMut(&Status) -> bool,
) -> Status {
    let mut last = status(server, token, index);
    if !poll_until(Duration::from_secs(180), || {
        last = status(server, token, index);
        done(&last)
    }) {
        panic!(
            "gave up waiting for {what}; status:\n{:#}\n---- log ----\n{}",
            last.0,
            server.log()
        );
    }
    last
}

/// The Message-IDs of an account, sorted, checked to hold no duplicates.
pub fn unique_ids(server: &Server, account: &str) -> Vec<String> {
    let mut ids = server.message_ids(account);
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "{account} got a message twice");
    ids
}

/// `<collect-N@remote.test>` for each N, sorted as strings.
pub fn expected_ids(ns: impl IntoIterator<Item = usize>) -> Vec<String> {
    let mut ids: Vec<String> = ns
        .into_iter()
        .map(|n| format!("<collect-{n}@remote.test>"))
        .collect();
    ids.sort();
    ids
}

/// 500 messages for alice in Dovecot, collected over `protocol` ("pop3" or "imap") with
/// `keep_days = 0` through a proxy that cuts the first connection after 300 KB (each message
/// is about 1.6 KB, so in the middle): every message must arrive exactly once and be deleted
/// on the server, and one more complete run must change nothing; each message carries the
/// trace header naming the source (`protocol`://office@127.0.0.1:port).
pub fn collects_500_exactly_once_across_a_cut(protocol: &str) {
    let dovecot = Dovecot::start(&["office"], false);
    for n in 0..500 {
        dovecot.put("office", n, &message(n, "To: alice@example.test\n"));
    }
    let upstream = if protocol == "pop3" {
        dovecot.pop3
    } else {
        dovecot.imap
    };
    let (port, connections) = cutting_proxy(upstream, 300_000);
    let (server, token) = postroom(&format!(
        "[[collect]]\nprotocol = \"{protocol}\"\nhost = \"127.0.0.1\"\nport = {port}\n\
         tls = \"none\"\nuser = \"office\"\npassword = \"{PASSWORD}\"\n\
         account = \"alice@example.test\"\ninterval = \"1s\"\nkeep_days = 0\n"
    ));
    // Collection starts as the server is ready, when `postroom` returns.
    let started = Instant::now();
    let done = wait_for(&server, &token, 0, "all 500 collected and deleted", |s| {
        s.get("last_error") == "null"
            && inbox_count(&server, "alice@example.test") == 500
            && dovecot.count("office") == 0
    });
    // A number for the report, not an assertion (the machine may be busy).
    eprintln!(
        "{protocol}: 500 messages collected and deleted {:.1} s after the server started; \
         {} connections",
        started.elapsed().as_secs_f64(),
        connections.load(Ordering::SeqCst)
    );
    assert!(connections.load(Ordering::SeqCst) >= 2);
    // The cut run delivered part of the mail, and what it committed was not fetched again.
    let partial = fetched_by_failed_run(&server.log());
    assert!((1..500).contains(&partial), "the cut run fetched {partial}");
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..500)
    );
    let runs = done.number("runs");
    wait_for(&server, &token, 0, "one more run", |s| {
        s.number("runs") > runs
    });
    assert_eq!(inbox_count(&server, "alice@example.test"), 500);
    let mbox = server.export("alice@example.test");
    // Stored as sent: dot-unstuffed, the literal's bytes whole, CRLF, with the trace header.
    assert_eq!(mbox.matches("\n.leading dot line\n").count(), 500);
    assert_eq!(
        mbox.matches("\n.\n)\nC5 OK not really the end\n").count(),
        500
    );
    // (IMAP ids are UIDVALIDITY:UID, POP3 ids the UIDL.)
    let trace = format!("X-Postroom-Collected: {protocol}://office@127.0.0.1:{port} id ");
    assert_eq!(mbox.matches(&trace).count(), 500, "{trace}");
}

/// The `fetched=N` of the log line of the run that the cut ended.
fn fetched_by_failed_run(log: &str) -> u64 {
    let line = log
        .lines()
        .find(|l| l.contains("collecting mail failed"))
        .unwrap_or_else(|| panic!("no failed run in the log:\n{log}"));
    let at = line.find("fetched=").expect("fetched field") + "fetched=".len();
    line[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number")
}
