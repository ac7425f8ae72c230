//! Test harness: the real `postroom` binary in a temporary data directory, listening on
//! loopback ports chosen by the OS, driven by real clients (Python's smtplib, swaks, curl) and
//! by raw sockets for hostile input.
//!
//! # Layout
//! - `lib.rs`: [`Server`] (start, CLI, kill -9, restart, export), [`python`], [`SmtpConn`].
//! - `admin.rs`: HTTP requests to the admin API (Python's urllib) and an admin server.
//! - `pop3.rs`, `imap.rs`: servers with those listeners, delivery over SMTP, raw connections.
//! - `peers.rs`: the outbound queue's peers (dnsmasq, Postfix, `fixtures/queue_peer.py`).
//! - `ddns.rs`, `etrn.rs`, `doctor.rs`, `collect.rs` + `dovecot.rs`: the dynamic-IP
//!   features' peers (`fixtures/ddns_peer.py`, a backup MX, Dovecot as the ISP mailbox).
//! - `tests/it/`: the one integration-test binary, a module per protocol and command (its
//!   `main.rs` says how to add one).

pub mod admin;
pub mod collect;
pub mod ddns;
pub mod doctor;
pub mod dovecot;
pub mod etrn;
pub mod events;
pub mod imap;
pub mod peers;
pub mod pop3;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The password every fixture account gets.
pub const PASSWORD: &str = "Correct-Horse-9";

/// The `postroom` binary, built once per test process (cargo test does not build binaries of
/// other packages).
pub fn binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = workspace_root();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "cli", "--bin", "postroom"])
            .current_dir(&root)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building postroom failed");
        let target = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("target"));
        target.join("debug").join("postroom")
    })
    .clone()
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Extra settings for a test server.
#[derive(Default, Clone)]
pub struct Options {
    /// TOML lines added to `[limits]`.
    pub limits: Vec<String>,
    /// Skip the fixture domains, accounts and aliases.
    pub empty: bool,
    /// More services to listen on at `127.0.0.1:0` under `[listen]` (e.g. "pop3").
    pub services: Vec<String>,
    /// TOML appended after `[limits]` (whole sections of their own, e.g. `[queue]`).
    pub extra_toml: String,
    /// Unix: start `serve` with this soft limit on open files (as on a desktop with the
    /// usual 1024), the hard limit unchanged.
    pub open_files: Option<u64>,
}

/// A running `postroom serve` in its own temporary data directory.
pub struct Server {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pub smtp: SocketAddr,
    pub submission: SocketAddr,
    pub submissions: SocketAddr,
    /// Every listener `serve` reported, by service name.
    pub listeners: std::collections::HashMap<String, SocketAddr>,
    open_files: Option<u64>,
    /// The local DNS server when the test set no `[dns]` (ended with the server).
    _dns: Option<peers::Dnsmasq>,
}

impl Server {
    /// A server with the fixture: domains example.test and catchall.test; accounts
    /// alice, bob, dave @example.test; aliases info -> alice, sales -> alice + bob (a list),
    /// carol -> alice + carol@remote.test (a forward keeping a copy), @catchall.test -> bob.
    pub fn start() -> Server {
        Server::with(Options::default())
    }

    /// The fixture server with these lines in `[limits]`.
    pub fn with_limits(limits: &[&str]) -> Server {
        Server::with(Options {
            limits: limits.iter().map(|l| l.to_string()).collect(),
            ..Options::default()
        })
    }

    pub fn with(options: Options) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("postroom-test")
            .tempdir()
            .expect("tempdir");
        let open_files = options.open_files;
        let mut toml = String::from("hostname = \"mx.example.test\"\n[listen]\n");
        for service in ["smtp", "submission", "submissions"]
            .iter()
            .copied()
            .chain(options.services.iter().map(String::as_str))
        {
            toml.push_str(&format!("{service} = [\"127.0.0.1:0\"]\n"));
        }
        toml.push_str("[limits]\n");
        for line in &options.limits {
            toml.push_str(line);
            toml.push('\n');
        }
        toml.push_str(&options.extra_toml);
        // No test may ask the Internet: without a `[dns]` of its own, the server resolves
        // through a dnsmasq that answers every name "does not exist" at once (the inbound
        // checks, issue #16, then find no SPF, DKIM or DMARC record and no listing).
        let dns = match options.extra_toml.contains("[dns]") {
            true => None,
            false => {
                let port = peers::free_port(&["127.0.0.1"]);
                let dns = peers::Dnsmasq::start(port, &[peers::NO_OTHER_NAMES.to_string()]);
                toml.push_str(&format!(
                    "\n[dns]\nservers = [\"127.0.0.1:{}\"]\n",
                    dns.port
                ));
                Some(dns)
            }
        };
        std::fs::write(dir.path().join("postroom.toml"), toml).expect("write config");
        let mut server = Server::in_dir(dir, open_files, dns);
        if !options.empty {
            server.ok(&["domain", "add", "example.test"]);
            server.ok(&["domain", "add", "catchall.test"]);
            for user in ["alice", "bob", "dave"] {
                server.ok_stdin(
                    &[
                        "account",
                        "add",
                        &format!("{user}@example.test"),
                        "--password-stdin",
                    ],
                    &format!("{PASSWORD}\n"),
                );
            }
            server.ok(&["alias", "add", "info@example.test", "alice@example.test"]);
            server.ok(&[
                "alias",
                "add",
                "sales@example.test",
                "alice@example.test",
                "bob@example.test",
            ]);
            server.ok(&[
                "alias",
                "add",
                "carol@example.test",
                "alice@example.test",
                "carol@remote.test",
            ]);
            server.ok(&["alias", "add", "@catchall.test", "bob@example.test"]);
        }
        server.spawn();
        server
    }

    /// A server on an existing data directory (a restored backup), started.
    pub fn open(dir: tempfile::TempDir) -> Server {
        let mut server = Server::in_dir(dir, None, None);
        server.spawn();
        server
    }

    /// Not started yet: [`Server::spawn`] learns the listeners' addresses.
    fn in_dir(
        dir: tempfile::TempDir,
        open_files: Option<u64>,
        dns: Option<peers::Dnsmasq>,
    ) -> Server {
        Server {
            dir,
            child: None,
            smtp: "127.0.0.1:0".parse().expect("addr"),
            submission: "127.0.0.1:0".parse().expect("addr"),
            submissions: "127.0.0.1:0".parse().expect("addr"),
            listeners: Default::default(),
            open_files,
            _dns: dns,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("serve.log")
    }

    /// Starts `serve` and waits for its `ready` line. With `POSTROOM_TEST_STARTS=FILE` in the
    /// environment each start adds a line to FILE (to count the suite's server start-ups).
    pub fn spawn(&mut self) {
        if let Some(file) = std::env::var_os("POSTROOM_TEST_STARTS") {
            let mut count = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .expect("POSTROOM_TEST_STARTS file");
            writeln!(count, "{}", self.dir.path().display()).expect("count a start");
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("log file");
        let mut command = match self.open_files {
            // `exec` keeps the PID: the server is the child the harness ends.
            Some(soft) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -S -n {soft} && exec \"$0\" \"$@\""))
                    .arg(binary());
                sh
            }
            None => Command::new(binary()),
        };
        let mut child = command
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("serve")
            .env("POSTROOM_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn postroom serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(remaining) {
                Ok(line) => line,
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("postroom serve did not become ready:\n{}", self.log());
                }
            };
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                ["ready"] => break,
                ["listening", service, addr] => {
                    let addr: SocketAddr = addr.parse().expect("listener address");
                    self.listeners.insert(service.to_string(), addr);
                    match *service {
                        "smtp" => self.smtp = addr,
                        "submission" => self.submission = addr,
                        "submissions" => self.submissions = addr,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        self.child = Some(child);
    }

    /// The address of a listener by service name ("pop3", "imap", ...).
    pub fn addr(&self, service: &str) -> SocketAddr {
        *self
            .listeners
            .get(service)
            .unwrap_or_else(|| panic!("no {service} listener"))
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("server running").id()
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    pub fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        stop_child(&mut child, Duration::from_secs(30))
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Runs a `postroom` admin command against this data directory.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(binary())
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn postroom");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
        drop(input);
        child.wait_with_output().expect("postroom output")
    }

    /// Runs an admin command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.cli_ok(args, None)
    }

    pub fn ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        self.cli_ok(args, Some(stdin))
    }

    fn cli_ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.cli(args, stdin);
        assert!(
            out.status.success(),
            "postroom {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `postroom export ADDRESS --mbox FILE`, returning the file's text.
    pub fn export(&self, address: &str) -> String {
        let file = self
            .dir
            .path()
            .join(format!("export-{}.mbox", address.replace('@', "_")));
        self.ok(&[
            "export",
            address,
            "--mbox",
            file.to_str().expect("utf-8 path"),
        ]);
        std::fs::read_to_string(&file).expect("read mbox")
    }

    /// Message-IDs found in an account's export.
    pub fn message_ids(&self, address: &str) -> Vec<String> {
        message_ids(&self.export(address))
    }

    /// Runs SQL against the database with Python's sqlite3 (an independent reader); returns
    /// rows as tab-separated lines.
    /// `address`'s mbox export, asserted to contain each of `needles`.
    pub fn mbox_with(&self, address: &str, needles: &[&str]) -> String {
        let mbox = self.export(address);
        assert_contains_all(&mbox, needles);
        mbox
    }

    pub fn sql(&self, query: &str) -> String {
        let db = self.dir.path().join("postroom.db");
        let out = python("lib_sql.py", &[db.to_str().expect("utf-8 path"), query]);
        assert!(
            out.status.success(),
            "sql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Path of the generated self-signed certificate (to verify TLS against).
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("tls").join("cert.pem")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- postroom serve log ----\n{}", self.log());
        }
        self.kill9();
    }
}

/// Polls `done` until it holds (true) or `timeout` passes (false): at once, then after 10 ms,
/// the pause doubling up to 200 ms (many checks start a process: a busy machine stays
/// usable). The one place the tests wait: for a condition, with a deadline, never for a
/// fixed time.
pub fn poll_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    loop {
        if done() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// [`poll_until`] that fails the test, naming `what`, when the condition never holds.
pub fn wait_until(timeout: Duration, what: &str, done: impl FnMut() -> bool) {
    assert!(poll_until(timeout, done), "timed out waiting for {what}");
}

/// Polls `found` until it returns a value, which it returns; fails the test, naming `what`,
/// after `timeout`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let mut value = None;
    wait_until(timeout, what, || {
        value = found();
        value.is_some()
    });
    value.expect("the condition held")
}

/// Ends a child process the test started: SIGTERM, then SIGKILL if it is still running after
/// `grace`. Returns its exit status.
pub fn stop_child(child: &mut Child, grace: Duration) -> Option<std::process::ExitStatus> {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    if poll_until(grace, || !matches!(child.try_wait(), Ok(None))) {
        return child.try_wait().ok().flatten();
    }
    let _ = child.kill();
    child.wait().ok()
}

/// `text` parsed as JSON (an admin API answer); fails the test when it is not JSON.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A port free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// All `Message-ID:` values in an mbox text.
pub fn message_ids(mbox: &str) -> Vec<String> {
    mbox.lines()
        .filter_map(|l| {
            let lower = l.to_ascii_lowercase();
            lower
                .starts_with("message-id:")
                .then(|| l["message-id:".len()..].trim().to_string())
        })
        .collect()
}

/// The path of a file in `tests/fixtures/` (Python scripts, peers).
pub fn fixture(name: &str) -> PathBuf {
    workspace_root().join("tests").join("fixtures").join(name)
}

/// Runs the Python 3 script `tests/fixtures/<script>` with arguments (an independent client
/// implementation). Scripts may import each other: their folder is first on `sys.path`.
pub fn python(script: &str, args: &[&str]) -> Output {
    python_command(script)
        .args(args)
        .output()
        .expect("run python3")
}

/// `python3 tests/fixtures/<script>`, for a script the test talks to while it runs.
pub fn python_command(script: &str) -> Command {
    let mut command = Command::new("python3");
    command
        .arg(fixture(script))
        // No __pycache__ in the source tree when one script imports another.
        .env("PYTHONDONTWRITEBYTECODE", "1");
    command
}

/// Runs `command` (`what` names it in failures), which must exit successfully; its output.
pub fn run_ok(command: &mut Command, what: &str) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Asserts that `out` begins with the lines `expected`, one by one: a fixture script prints a
/// line per step, and a failure names the line's number and shows the whole output.
pub fn assert_lines(out: &str, expected: &[&str]) {
    let lines: Vec<&str> = out.lines().collect();
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(lines.get(i), Some(want), "line {i} of:\n{out}");
    }
}

/// Asserts that `text` contains each of `needles`; a failure names the one missing.
pub fn assert_contains_all(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing in:\n{text}");
    }
}

/// Fails the test with the program's stderr unless it exited successfully.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a fixture script that must succeed; returns its stdout.
pub fn python_ok(script: &str, args: &[&str]) -> String {
    let out = run_ok(python_command(script).args(args), script);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A raw TCP connection to a listener: bytes out exactly as given, lines in as they come
/// (what [`SmtpConn`] and [`pop3::Pop3`] are made of).
pub struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Wire {
    /// Connects; a read waits at most `timeout`.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Wire {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(timeout)).expect("timeout");
        Wire {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// One line with its line ending, or `None` at EOF (or a read error or time-out).
    pub fn raw_line(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(lf) = self.buf.iter().position(|&b| b == b'\n') {
                return Some(self.buf.drain(..=lf).collect());
            }
            let mut chunk = vec![0u8; 64 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

/// A raw SMTP connection for hostile-input tests: bytes out exactly as given.
pub struct SmtpConn {
    wire: Wire,
}

impl SmtpConn {
    pub fn connect(addr: SocketAddr) -> SmtpConn {
        let mut conn = SmtpConn {
            wire: Wire::connect(addr, Duration::from_secs(20)),
        };
        let greeting = conn.reply();
        assert!(greeting.starts_with("220"), "greeting: {greeting}");
        conn
    }

    /// Connects and starts a transaction for `rcpt` ([`SmtpConn::start_mail`]).
    pub fn in_transaction(addr: SocketAddr, rcpt: &str) -> SmtpConn {
        let mut conn = SmtpConn::connect(addr);
        conn.start_mail(rcpt);
        conn
    }

    /// Connects and says EHLO client.test (asserting its 250).
    pub fn greeted(addr: SocketAddr) -> SmtpConn {
        let mut conn = SmtpConn::connect(addr);
        conn.expect("EHLO client.test", "250");
        conn
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.wire.send(bytes);
    }

    /// Sends a command line (CRLF added) and returns the whole reply.
    pub fn cmd(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        self.reply()
    }

    /// Reads one complete (possibly multi-line) reply; empty string on EOF.
    pub fn reply(&mut self) -> String {
        let mut text = String::new();
        loop {
            let line = match self.read_line() {
                Some(l) => l,
                None => return text,
            };
            let last = line.len() < 4 || line.as_bytes()[3] == b' ';
            text.push_str(&line);
            text.push('\n');
            if last {
                return text;
            }
        }
    }

    fn read_line(&mut self) -> Option<String> {
        let line = self.wire.raw_line()?;
        Some(String::from_utf8_lossy(&line).trim_end().to_string())
    }

    /// True when the server closed the connection (reads EOF).
    pub fn is_closed(&mut self) -> bool {
        self.read_line().is_none()
    }

    pub fn stream(&self) -> &TcpStream {
        self.wire.stream()
    }

    /// Sends a command line; asserts that its reply starts with `code`; returns the reply.
    pub fn expect(&mut self, line: &str, code: &str) -> String {
        let reply = self.cmd(line);
        assert!(reply.starts_with(code), "{line}: {reply}");
        reply
    }

    /// Reads one reply; asserts that it starts with `code`; returns it.
    pub fn expect_reply(&mut self, code: &str) -> String {
        let reply = self.reply();
        assert!(reply.starts_with(code), "wanted {code}: {reply}");
        reply
    }

    /// DATA (354), then `body` as given (it ends with CRLF.CRLF); asserts that the reply to
    /// the message starts with `code`; returns it.
    pub fn data(&mut self, body: &[u8], code: &str) -> String {
        self.expect("DATA", "354");
        self.send(body);
        self.expect_reply(code)
    }

    /// EHLO, MAIL, RCPT for a plain message to `rcpt` on port 25.
    pub fn start_mail(&mut self, rcpt: &str) {
        self.expect("EHLO client.test", "250");
        self.expect("MAIL FROM:<sender@outside.test>", "250");
        self.expect(&format!("RCPT TO:<{rcpt}>"), "250");
    }
}

/// A plain message with the given Message-ID (CRLF line endings).
pub fn message(id: &str, subject: &str) -> String {
    format!(
        "From: Sender <sender@outside.test>\r\nTo: someone@example.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n"
    )
}

/// Eight SMTP clients delivering to alice (and a list) in a loop (`fault_load.py`): each
/// Message-ID is recorded only after its 250. A client stops at its first failure.
pub struct Load {
    child: Child,
    reader: Option<std::thread::JoinHandle<()>>,
    acknowledged: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Load {
    pub fn start(smtp: SocketAddr) -> Load {
        let mut child = python_command("fault_load.py")
            .arg(smtp.port().to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        let stdout = child.stdout.take().expect("stdout");
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = acknowledged.clone();
        let reader = std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                seen.lock().expect("lock").push(line);
            }
        });
        Load {
            child,
            reader: Some(reader),
            acknowledged,
        }
    }

    /// The Message-IDs acknowledged so far (without angle brackets).
    pub fn acknowledged(&self) -> Vec<String> {
        self.acknowledged.lock().expect("lock").clone()
    }

    /// Waits until more than `n` messages were acknowledged.
    pub fn wait_past(&self, n: usize) {
        wait_until(
            Duration::from_secs(120),
            &format!("{n} acknowledged messages"),
            || self.acknowledged.lock().expect("lock").len() > n,
        );
    }

    /// Waits for the clients to end by themselves (the server went away); returns whether
    /// the generator exited cleanly, and every acknowledged Message-ID.
    pub fn finish(mut self) -> (bool, Vec<String>) {
        let ok = self.child.wait().is_ok_and(|s| s.success());
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader");
        }
        (ok, self.acknowledged())
    }

    /// Stops the clients (SIGTERM by PID) and returns every acknowledged Message-ID.
    pub fn stop(mut self) -> Vec<String> {
        stop_child(&mut self.child, Duration::from_secs(5));
        if let Some(reader) = self.reader.take() {
            reader.join().expect("reader");
        }
        self.acknowledged()
    }
}

/// `extra_toml` with `[filter] check_local_clients = true`: the tests' clients are on
/// loopback, whose mail the inbound checks otherwise leave alone (the office's own network).
pub fn checking_local_clients(extra_toml: &str) -> String {
    if extra_toml.contains("[filter]\n") {
        extra_toml.replacen("[filter]\n", "[filter]\ncheck_local_clients = true\n", 1)
    } else {
        format!("{extra_toml}\n[filter]\ncheck_local_clients = true\n")
    }
}
