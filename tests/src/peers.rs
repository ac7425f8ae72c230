//! Peers for the outbound-queue tests, each started and stopped by PID: dnsmasq (the DNS
//! server our real resolver asks), a private Postfix instance (a receiving MX), and
//! `fixtures/queue_peer.py` (aiosmtpd peers that accept, refuse, stall or hang up).
//!
//! Each test uses loopback addresses of its own (127.0.0.N) and free ports, so tests run in
//! parallel.

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub use crate::wait_until;
use crate::{Options, PASSWORD, Server, fixture, poll_until, python_ok};

/// A port free for TCP on every address in `ips` (and UDP on the first, for DNS).
pub fn free_port(ips: &[&str]) -> u16 {
    for _ in 0..100 {
        let Ok(probe) = TcpListener::bind((ips[0], 0)) else {
            continue;
        };
        let port = probe.local_addr().expect("addr").port();
        drop(probe);
        let tcp_free = ips.iter().all(|ip| TcpListener::bind((*ip, port)).is_ok());
        if tcp_free && UdpSocket::bind((ips[0], port)).is_ok() {
            return port;
        }
    }
    panic!("no free port on {ips:?}");
}

fn wait_port(ip: &str, port: u16, timeout: Duration) {
    wait_until(timeout, &format!("{ip}:{port} to listen"), || {
        TcpStream::connect((ip, port)).is_ok()
    });
}

/// Ends a child we started: SIGTERM, then SIGKILL if it lingers.
fn stop_child(child: &mut Child) {
    crate::stop_child(child, Duration::from_secs(5));
}

/// dnsmasq on 127.0.0.1:port with the given record options (PEERS.md).
pub struct Dnsmasq {
    child: Child,
    pub port: u16,
}

impl Dnsmasq {
    pub fn start(port: u16, records: &[String]) -> Dnsmasq {
        let child = Command::new("dnsmasq")
            .args([
                "--no-daemon",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--pid-file",
                "--bind-interfaces",
                "--listen-address=127.0.0.1",
                &format!("--port={port}"),
            ])
            .args(records)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dnsmasq (apt-get install dnsmasq-base)");
        wait_port("127.0.0.1", port, Duration::from_secs(10));
        Dnsmasq { child, port }
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

/// A dnsmasq option: names without a record given do not exist (NXDOMAIN at once, never
/// asked upstream: there is none).
pub const NO_OTHER_NAMES: &str = "--address=/#/";

/// The records of one MX host at `ip` for `domain`: `mx.<domain>`, preference 10.
pub fn mx_records(domain: &str, ip: &str) -> [String; 2] {
    [
        format!("--mx-host={domain},mx.{domain},10"),
        format!("--host-record=mx.{domain},{ip}"),
    ]
}

/// dnsmasq on `port` with one MX host at `ip` for `domain`.
pub fn dns_for(port: u16, domain: &str, ip: &str) -> Dnsmasq {
    Dnsmasq::start(port, &mx_records(domain, ip))
}

/// A remote MX for one domain: the aiosmtpd peer at its own loopback address (on a port free
/// there and on 127.0.0.1) and dnsmasq on 127.0.0.1 naming it as the domain's MX.
pub struct Remote {
    pub peer: Peer,
    pub dns: Dnsmasq,
    pub port: u16,
}

impl Remote {
    /// The peer at `ip` with `options` (see `fixtures/queue_peer.py`), MX of `domain`.
    pub fn start(ip: &str, domain: &str, options: &[&str]) -> Remote {
        let port = free_port(&["127.0.0.1", ip]);
        let peer = Peer::start(ip, port, options);
        let dns = dns_for(port, domain, ip);
        Remote { peer, dns, port }
    }

    /// A Postroom test server that resolves through this dnsmasq and sends to this port
    /// (see [`server`]).
    pub fn server(&self, queue_keys: &str, extra: &str) -> Server {
        server(self.dns.port, self.port, queue_keys, extra)
    }
}

/// A TXT record for dnsmasq, split into strings of at most 255 octets.
pub fn txt_record(name: &str, value: &str) -> String {
    let chunks: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!("--txt-record={name},{}", chunks.join(","))
}

/// `fixtures/queue_peer.py` on ip:port.
pub struct Peer {
    child: Child,
    pub dir: tempfile::TempDir,
    pub ip: String,
    pub port: u16,
}

impl Peer {
    pub fn start(ip: &str, port: u16, options: &[&str]) -> Peer {
        let dir = tempfile::tempdir().expect("tempdir");
        let script = fixture("queue_peer.py");
        let child = Command::new("python3")
            .arg(script)
            .args(["--listen", &format!("{ip}:{port}")])
            .arg("--out")
            .arg(dir.path())
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("stderr.log")).expect("log"),
            ))
            .spawn()
            .expect("start queue_peer.py (pip install aiosmtpd)");
        let ready = dir.path().join("ready");
        let mut peer = Peer {
            child,
            dir,
            ip: ip.to_string(),
            port,
        };
        let started = poll_until(Duration::from_secs(20), || {
            ready.exists() || !matches!(peer.child.try_wait(), Ok(None))
        });
        if !started || !ready.exists() {
            panic!("queue_peer.py did not start:\n{}", peer.file("stderr.log"));
        }
        peer
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    pub fn events(&self) -> String {
        self.file("events.log")
    }

    /// Stored messages in order: (envelope, content). The envelope is JSON (`from`, `to`,
    /// `tls`, `auth`, `options`), written after the content: a message whose envelope does
    /// not parse yet is still being saved.
    pub fn messages(&self) -> Vec<(Value, String)> {
        (1..)
            .map_while(|n| {
                let envelope = serde_json::from_str(&self.file(&format!("msg-{n}.env"))).ok()?;
                Some((envelope, self.file(&format!("msg-{n}.eml"))))
            })
            .collect()
    }

    pub fn wait_messages(&self, n: usize, timeout: Duration) -> Vec<(Value, String)> {
        wait_until(timeout, &format!("{n} message(s) at {}", self.ip), || {
            self.messages().len() >= n
        });
        self.messages()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

/// Whether a peer's envelope (see [`Peer::messages`]) has `rcpt` among its recipients.
pub fn has_recipient(envelope: &Value, rcpt: &str) -> bool {
    envelope["to"]
        .as_array()
        .is_some_and(|to| to.iter().any(|r| r == rcpt))
}

/// A private Postfix instance receiving mail for `domain` on ip:port into Maildirs
/// (PEERS.md).
pub struct Postfix {
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
    conf: PathBuf,
}

impl Postfix {
    pub fn start(
        ip: &str,
        port: u16,
        domain: &str,
        users: &[&str],
        extra_main_cf: &str,
    ) -> Postfix {
        let tmp = tempfile::Builder::new()
            .prefix("postroom-postfix")
            .tempdir()
            .expect("tempdir");
        let d = tmp.path().to_path_buf();
        // Postfix's unprivileged daemons must traverse it.
        Command::new("chmod")
            .arg("755")
            .arg(&d)
            .status()
            .expect("chmod");
        let conf = d.join("conf");
        for sub in ["conf", "queue", "data", "vmail"] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        let id = |flag: &str| {
            let out = Command::new("id")
                .args([flag, "postfix"])
                .output()
                .expect("id");
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let (uid, gid) = (id("-u"), id("-g"));
        let d = d.display();
        std::fs::write(
            conf.join("main.cf"),
            format!(
                "compatibility_level = 3.6\nmyhostname = mx.{domain}\nmydomain = {domain}\n\
                 myorigin = {domain}\nmydestination =\ninet_interfaces = all\n\
                 inet_protocols = ipv4\nmynetworks = 127.0.0.0/8\nqueue_directory = {d}/queue\n\
                 data_directory = {d}/data\nmaillog_file = {d}/maillog\n\
                 maillog_file_prefixes = /var, /dev/stdout, {d}\n\
                 smtpd_relay_restrictions = reject_unauth_destination\n\
                 smtpd_peername_lookup = no\n\
                 virtual_mailbox_domains = {domain}\nvirtual_mailbox_base = {d}/vmail\n\
                 virtual_mailbox_maps = texthash:{d}/conf/vmailbox\n\
                 virtual_uid_maps = static:{uid}\nvirtual_gid_maps = static:{gid}\n\
                 virtual_minimum_uid = 1\nbiff = no\nalias_maps =\nalias_database =\n\
                 {extra_main_cf}\n"
            ),
        )
        .expect("main.cf");
        let users: String = users
            .iter()
            .map(|u| format!("{u}@{domain} {domain}/{u}/\n"))
            .collect();
        std::fs::write(conf.join("vmailbox"), users).expect("vmailbox");
        std::fs::write(
            conf.join("master.cf"),
            format!(
                "{ip}:{port} inet n - n - - smtpd\n\
                 pickup unix n - n 60 1 pickup\ncleanup unix n - n - 0 cleanup\n\
                 qmgr unix n - n 300 1 qmgr\nrewrite unix - - n - - trivial-rewrite\n\
                 bounce unix - - n - 0 bounce\ndefer unix - - n - 0 bounce\n\
                 trace unix - - n - 0 bounce\nverify unix - - n - 1 verify\n\
                 flush unix n - n 1000? 0 flush\nproxymap unix - - n - - proxymap\n\
                 smtp unix - - n - - smtp\nrelay unix - - n - - smtp\n\
                 showq unix n - n - - showq\nerror unix - - n - - error\n\
                 retry unix - - n - - error\ndiscard unix - - n - - discard\n\
                 local unix - n n - - local\nvirtual unix - n n - - virtual\n\
                 anvil unix - - n - 1 anvil\nscache unix - - n - 1 scache\n\
                 postlog unix-dgram n - n - 1 postlogd\n"
            ),
        )
        .expect("master.cf");
        let chown = |spec: String, path: String| {
            Command::new("chown")
                .args(["-R", &spec, &path])
                .status()
                .expect("chown");
        };
        chown(format!("{uid}:{gid}"), format!("{d}/vmail"));
        chown("postfix".into(), format!("{d}/data"));
        let postfix = Postfix {
            dir: tmp.path().to_path_buf(),
            conf: conf.clone(),
            _tmp: tmp,
        };
        // Without a terminal Postfix reports errors only to syslog: run it under script(1).
        crate::run_ok(
            Command::new("script").args([
                "-eqc",
                &format!("postfix -c {} start", conf.display()),
                "/dev/null",
            ]),
            "postfix start",
        );
        wait_port(ip, port, Duration::from_secs(30));
        postfix
    }

    /// Messages delivered to `user`'s Maildir (new/).
    pub fn maildir(&self, domain: &str, user: &str) -> Vec<String> {
        let dir = self.dir.join("vmail").join(domain).join(user).join("new");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    pub fn maillog(&self) -> String {
        std::fs::read_to_string(self.dir.join("maillog")).unwrap_or_default()
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .args(["-c", &self.conf.display().to_string(), "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        // If `postfix stop` could not do it, end its master by the PID it recorded.
        let pid_file = self.dir.join("queue/pid/master.pid");
        if let Ok(text) = std::fs::read_to_string(pid_file) {
            let pid: String = text.chars().filter(char::is_ascii_digit).collect();
            let gone = || !Path::new(&format!("/proc/{pid}")).exists();
            if !pid.is_empty() && !poll_until(Duration::from_secs(3), gone) {
                let _ = Command::new("kill").args(["-TERM", &pid]).status();
            }
        }
    }
}

/// A Postroom test server whose resolver is dnsmasq on `dns_port` and whose MX port is
/// `mx_port`, with `extra` TOML after `[queue]` (more queue keys, then other sections).
pub fn server(dns_port: u16, mx_port: u16, queue_keys: &str, extra: &str) -> Server {
    Server::with(Options {
        extra_toml: format!(
            "[dns]\nservers = [\"127.0.0.1:{dns_port}\"]\n[queue]\nmx_port = {mx_port}\n\
             allow_internal_mx = true\n\
             {queue_keys}\n{extra}"
        ),
        ..Options::default()
    })
}

/// Sends a message through submission (587: STARTTLS, AUTH PLAIN as `from`'s account).
/// `mail_options` and `rcpt_options` are ESMTP parameters, e.g. `["RET=FULL"]`.
pub fn submit(
    server: &Server,
    from: &str,
    to: &[&str],
    message: &str,
    mail_options: &[&str],
    rcpt_options: &[&str],
) {
    let script = "peers_submit.py";
    let json = |items: &[&str]| {
        format!(
            "[{}]",
            items
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    python_ok(
        script,
        &[
            &server.submission.port().to_string(),
            server.cert_path().to_str().expect("path"),
            from,
            PASSWORD,
            &json(to),
            message,
            &json(mail_options),
            &json(rcpt_options),
        ],
    );
}

/// alice@example.test (a fixture account) sends message `id` to `rcpt` through submission.
pub fn alice_sends(server: &Server, rcpt: &str, id: &str) {
    let text = message("alice@example.test", rcpt, id, "queue test");
    submit(server, "alice@example.test", &[rcpt], &text, &[], &[]);
}

/// The state of the queue row for `recipient` (the newest one).
pub fn state_of(server: &Server, recipient: &str) -> String {
    server.sql(&format!(
        "SELECT state FROM queue WHERE recipient = '{recipient}' ORDER BY id DESC LIMIT 1"
    ))
}

/// `postroom queue show` of the (newest) queue row for `recipient`.
pub fn queue_show(server: &Server, recipient: &str) -> String {
    let id = server.sql(&format!(
        "SELECT id FROM queue WHERE recipient = '{recipient}' ORDER BY id DESC LIMIT 1"
    ));
    server.ok(&["queue", "show", &id])
}

/// Waits (up to `secs` seconds) until the row for `recipient` is in `state`.
pub fn wait_state(server: &Server, recipient: &str, state: &str, secs: u64) {
    let timeout = Duration::from_secs(secs);
    let mut seen = String::new();
    if !poll_until(timeout, || {
        seen = state_of(server, recipient);
        seen == state
    }) {
        panic!(
            "{recipient} is {seen:?}, not {state}\n{}",
            server.sql("SELECT id, recipient, state, attempts, last_reply FROM queue")
        );
    }
}

/// A self-signed certificate for `name` (not a CA, so rustls takes it as an end entity),
/// made with openssl: (cert.pem, key.pem).
pub fn certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    crate::run_ok(
        Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            ])
            .arg(format!("/CN={name}"))
            .arg("-addext")
            .arg(format!("subjectAltName=DNS:{name}"))
            .args([
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "extendedKeyUsage=serverAuth",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        "openssl req",
    );
    (cert, key)
}

/// A plain test message.
pub fn message(from: &str, to: &str, id: &str, subject: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nHello from the queue test.\r\n.leading dot\r\n"
    )
}
