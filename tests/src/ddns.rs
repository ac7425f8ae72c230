//! The dynamic DNS tests' peer (`tests/fixtures/ddns_peer.py`: the IP-echo service and the
//! four provider APIs, checking credentials and signatures independently of the Rust code),
//! a server pointed at it, and the admin API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use crate::{Options, Server, fixture, poll_until, python_ok};

/// The fake providers' credentials (as in ddns_peer.py). Every secret contains "SECRET".
pub const DYN: (&str, &str) = ("office", "dyn-SECRET-pw-1");
pub const CF_ZONE: &str = "023e105f4ecef8ad9ca31a8372d0c353";
pub const CF_TOKEN: &str = "cf-SECRET-token-2";
pub const TC: (&str, &str) = ("AKIDpostroomtest", "tc-SECRET-key-3");
pub const ALI: (&str, &str) = ("LTAIpostroomtest", "ali-SECRET-key-4");

/// The peer process, stopped by PID when dropped.
pub struct Peer {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
    pub port6: u16,
}

impl Peer {
    pub fn start(ip4: &str, ip6: &str) -> Peer {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("ip4"), ip4).expect("ip4");
        std::fs::write(dir.path().join("ip6"), ip6).expect("ip6");
        let script = fixture("ddns_peer.py");
        let child = Command::new("python3")
            .arg(script)
            .arg("--out")
            .arg(dir.path())
            .spawn()
            .expect("start ddns_peer.py");
        let mut peer = Peer {
            child,
            dir,
            port: 0,
            port6: 0,
        };
        wait_until("the peer listens", || peer.file("port").is_some(), &|| {
            String::new()
        });
        let read = |name: &str| peer.file(name).and_then(|p| p.trim().parse().ok());
        let (port, port6) = (read("port").expect("port"), read("port6").expect("port6"));
        peer.port = port;
        peer.port6 = port6;
        peer
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.path(name)).ok()
    }

    pub fn set(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("write peer file");
    }

    /// Lines of requests.log that start with `prefix`.
    pub fn requests(&self, prefix: &str) -> usize {
        let log = self.file("requests.log").unwrap_or_default();
        log.lines().filter(|l| l.starts_with(prefix)).count()
    }

    pub fn updates(&self) -> String {
        self.file("updates.log").unwrap_or_default()
    }

    /// Makes the echo service answer `ip4`, waits until `updated`, then until the watcher
    /// looked the address up three more times (so a second update would have been sent).
    pub fn change_address(
        &self,
        ip4: &str,
        updated: impl FnMut() -> bool,
        context: &dyn Fn() -> String,
    ) {
        self.set("ip4", ip4);
        wait_until(&format!("the records at {ip4}"), updated, context);
        let checks = self.requests("echo ip4");
        let more = || self.requests("echo ip4") >= checks + 3;
        wait_until("three more look-ups", more, context);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` (up to 180 s: a safety net on a busy machine); on time-out panics with
/// `context()`.
pub fn wait_until(what: &str, done: impl FnMut() -> bool, context: &dyn Fn() -> String) {
    let held = poll_until(Duration::from_secs(180), done);
    assert!(held, "{what}: gave up waiting\n{}", context());
}

/// `[[ddns.record]]` lines.
pub fn record(provider: &str, hostname: &str, extra: &[(&str, &str)]) -> String {
    let mut toml =
        format!("[[ddns.record]]\nprovider = \"{provider}\"\nhostname = \"{hostname}\"\n");
    for (key, value) in extra {
        if *value == "true" || *value == "false" {
            toml.push_str(&format!("{key} = {value}\n"));
        } else {
            toml.push_str(&format!("{key} = \"{value}\"\n"));
        }
    }
    toml
}

/// A server whose `[ddns]` (on if `enabled`) asks `peer` (a private-address endpoint first, which must be
/// skipped) every second, with `records`.
pub fn server(peer: &Peer, enabled: bool, records: &str) -> (Server, String) {
    let toml = format!(
        "[ddns]\nenabled = {enabled}\nipv4_endpoints = [\"{url}/private\", \"{url}/ip\"]\n\
         ipv6_endpoints = [\"http://[::1]:{port6}/ip\"]\ncheck_interval = \"1s\"\n\
         retry_after = \"1s\"\ntimeout = \"5s\"\n{records}",
        url = peer.url(),
        port6 = peer.port6,
    );
    let server = Server::with(Options {
        services: vec!["admin".into()],
        extra_toml: toml,
        empty: true,
        ..Options::default()
    });
    let token = server.ok(&["admin", "token"]).trim().to_string();
    (server, token)
}

/// An admin API call with the token; the status and the JSON text of the answer.
pub fn api(server: &Server, token: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    const CALL: &str = "ddns_call.py";
    let url = format!("http://{}{path}", server.addr("admin"));
    let out = python_ok(CALL, &[method, &url, token, body]);
    let (status, text) = out.split_once('\n').unwrap_or((&out, ""));
    (
        status.trim().parse().expect("status"),
        text.trim().to_string(),
    )
}

/// `GET /api/ddns`: the JSON text.
pub fn status(server: &Server, token: &str) -> String {
    let (code, text) = api(server, token, "GET", "/api/ddns", "");
    assert_eq!(code, 200, "{text}");
    text
}

pub fn no_secrets(server: &Server, status: &str) {
    let log = server.log();
    assert!(
        !log.contains("SECRET"),
        "a secret in the server log:\n{log}"
    );
    assert!(
        !status.contains("SECRET"),
        "a secret in the status: {status}"
    );
}

pub fn dump(peer: &Peer, server_log: &Path) -> String {
    format!(
        "requests:\n{}\nupdates:\n{}\nserver log:\n{}",
        peer.file("requests.log").unwrap_or_default(),
        peer.updates(),
        std::fs::read_to_string(server_log).unwrap_or_default()
    )
}
