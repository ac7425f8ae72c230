//! APPEND with a synchronizing literal (RFC 9051 §6.3.12, §4.3) from a client that keeps
//! Nagle's algorithm on, as Python's imaplib does: it writes the message after the `+`, then
//! the final CRLF as a second small write, which its kernel holds until the message is
//! acknowledged. A server that delays that ACK (40 ms on Linux) made every such APPEND take
//! 40 ms. The fixed and the slow server differ only in *when* the ACK leaves, so without a
//! clock what can be checked is the cause: while it holds part of a command, the server asks
//! the kernel for an immediate ACK (TCP_QUICKACK) on that connection. strace shows it.

use std::fs;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tests::imap::ImapConn;

/// `strace -f -p PID` writing the setsockopt calls of the server (all its threads) to a
/// file, ended by PID when dropped.
struct Trace {
    child: Child,
    out: tempfile::TempDir,
}

impl Trace {
    /// Attaches to every thread of `pid` and returns once it is attached.
    fn attach(pid: u32) -> Trace {
        let out = tempfile::tempdir().expect("tempdir");
        let child = Command::new("strace")
            .args(["-f", "-e", "trace=setsockopt", "-o"])
            .arg(out.path().join("trace"))
            .args(["-p", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(out.path().join("stderr")).expect("stderr file"))
            .spawn()
            .expect("strace (apt install strace)");
        let trace = Trace { child, out };
        // "Process N attached with M threads", once all are.
        tests::wait_until(Duration::from_secs(30), "strace to attach", || {
            trace.read("stderr").contains("attached")
        });
        trace
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.out.path().join(name)).unwrap_or_default()
    }

    /// The traced calls that set TCP_QUICKACK to 1.
    fn quickacks(&self) -> usize {
        self.read("trace")
            .lines()
            .filter(|l| l.contains("TCP_QUICKACK, [1]"))
            .count()
    }
}

impl Drop for Trace {
    fn drop(&mut self) {
        tests::stop_child(&mut self.child, Duration::from_secs(10));
    }
}

#[test]
#[cfg(target_os = "linux")]
fn append_literal_is_acknowledged_without_waiting_for_its_crlf() {
    let server = tests::imap::server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    let trace = Trace::attach(server.pid());
    assert_eq!(trace.quickacks(), 0, "{}", trace.read("trace"));

    let message = tests::imap::message("imaplib APPEND");
    c.send(format!("a1 APPEND INBOX {{{}}}\r\n", message.len()).as_bytes());
    let go = c.line();
    assert!(go.starts_with('+'), "{go}");
    // The message without its CRLF: the command is incomplete, the client waits for the ACK.
    c.send(&message);
    tests::wait_until(
        Duration::from_secs(30),
        "the server to ask for an immediate ACK of the literal",
        || trace.quickacks() > 0,
    );
    c.send(b"\r\n");
    let r = c.until("a1");
    assert!(r.last().is_some_and(|l| l.starts_with("a1 OK")), "{r:?}");

    // A whole command in one write needs no ACK sooner than the reply carries it.
    let before = trace.quickacks();
    c.expect("a2", "NOOP", "OK");
    assert_eq!(trace.quickacks(), before, "{}", trace.read("trace"));
}
