//! Dovecot as the "ISP mailbox": a private instance on loopback serving POP3 and IMAP, with
//! a passwd-file and Maildirs in a temp dir, TLS with a private CA made by openssl; started
//! and stopped by PID.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{free_port, poll_until, stop_child};

pub const PASSWORD: &str = "Isp-pass-1234";

/// A private Dovecot serving POP3 and IMAP on free loopback ports; stopped by PID on drop.
pub struct Dovecot {
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    pub pop3: u16,
    pub imap: u16,
    /// With TLS: implicit-TLS ports and the CA file (for `ca =`).
    pub pop3s: u16,
    pub imaps: u16,
    pub cert: PathBuf,
}

fn id(flag: &str) -> String {
    let out = Command::new("id")
        .args([flag, "nobody"])
        .output()
        .expect("id");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A private CA (`ca.pem`) and a server certificate for 127.0.0.1 and localhost signed by
/// it (`cert.pem`, `key.pem`), made with openssl.
fn make_certificates(root: &Path) {
    let run = |args: &[&str]| {
        crate::run_ok(
            Command::new("openssl").args(args).current_dir(root),
            "openssl",
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Postroom Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        root.join("server.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "cert.pem",
    ]);
}

impl Dovecot {
    /// Users (each with an empty Maildir), TLS on or off.
    pub fn start(users: &[&str], tls: bool) -> Dovecot {
        assert!(
            Path::new("/usr/sbin/dovecot").exists(),
            "dovecot missing: apt-get install dovecot-pop3d dovecot-imapd"
        );
        let dir = tempfile::Builder::new()
            .prefix("postroom-dovecot")
            .tempdir()
            .expect("tempdir");
        let root = dir.path();
        // Dovecot's unprivileged processes must traverse it.
        Command::new("chmod")
            .arg("755")
            .arg(root)
            .status()
            .expect("chmod");
        let (uid, gid) = (id("-u"), id("-g"));
        let mut users_file = String::new();
        for user in users {
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(root.join("home").join(user).join("Maildir").join(sub))
                    .expect("maildir");
            }
            users_file.push_str(&format!(
                "{user}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{}::\n",
                root.join("home").join(user).display()
            ));
        }
        std::fs::write(root.join("users"), users_file).expect("users");
        let cert = root.join("ca.pem");
        if tls {
            make_certificates(root);
        }
        let (pop3, imap) = (free_port(), free_port());
        let (pop3s, imaps) = if tls {
            (free_port(), free_port())
        } else {
            (0, 0)
        };
        let ssl = if tls {
            format!(
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}\n",
                root.join("cert.pem").display(),
                root.join("key.pem").display()
            )
        } else {
            "ssl = no\n".to_string()
        };
        let conf = format!(
            "base_dir = {root}/run\nstate_dir = {root}/state\nlog_path = {root}/dovecot.log\n\
             listen = 127.0.0.1\nprotocols = pop3 imap\n{ssl}disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nfirst_valid_uid = {uid}\nlast_valid_uid = {uid}\n\
             mail_location = maildir:~/Maildir\nmail_max_userip_connections = 50\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {root}/users\n}}\n\
             userdb {{\n  driver = passwd-file\n  args = {root}/users\n}}\n\
             service pop3-login {{\n  inet_listener pop3 {{\n    address = 127.0.0.1\n    port = {pop3}\n  }}\n\
             \x20 inet_listener pop3s {{\n    port = {pop3s}\n  }}\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap}\n  }}\n\
             \x20 inet_listener imaps {{\n    port = {imaps}\n  }}\n}}\n",
            root = root.display()
        );
        std::fs::write(root.join("dovecot.conf"), conf).expect("conf");
        Command::new("chown")
            .arg("-R")
            .arg(format!("{uid}:{gid}"))
            .arg(root.join("home"))
            .status()
            .expect("chown");
        let child = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let mut dovecot = Dovecot {
            dir,
            child: Some(child),
            pop3,
            imap,
            pop3s,
            imaps,
            cert,
        };
        for port in [pop3, imap, pop3s, imaps].into_iter().filter(|p| *p != 0) {
            dovecot.wait_port(port);
        }
        dovecot
    }

    fn wait_port(&mut self, port: u16) {
        let mut exited = false;
        let listening = poll_until(Duration::from_secs(30), || {
            exited = self
                .child
                .as_mut()
                .is_some_and(|c| !matches!(c.try_wait(), Ok(None)));
            exited || TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        if exited || !listening {
            panic!("dovecot did not listen on {port}:\n{}", self.log());
        }
    }

    /// An IMAP connection logged in as the user `isp`.
    pub fn imap_login(&self) -> crate::imap::ImapConn {
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], self.imap).into();
        let (mut c, _) = crate::imap::ImapConn::connect(addr);
        let r = c.cmd("l1", &format!("LOGIN isp {PASSWORD}"));
        assert!(r.last().is_some_and(|l| l.starts_with("l1 OK")), "{r:?}");
        c
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("home").join(user).join("Maildir")
    }

    /// Puts a message straight into the user's Maildir (cur/, as already seen by a reader).
    pub fn put(&self, user: &str, n: usize, message: &[u8]) {
        let name = format!("17000{n:05}.M{n}P1.isp,S={}:2,", message.len());
        let path = self.maildir(user).join("cur").join(name);
        std::fs::write(&path, message).expect("write message");
        Command::new("chown")
            .arg(format!("{}:{}", id("-u"), id("-g")))
            .arg(&path)
            .status()
            .expect("chown");
    }

    /// Messages left in the user's Maildir (cur/ and new/).
    pub fn count(&self, user: &str) -> usize {
        ["cur", "new"]
            .iter()
            .map(|sub| {
                std::fs::read_dir(self.maildir(user).join(sub))
                    .map(|d| d.count())
                    .unwrap_or(0)
            })
            .sum()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("---- dovecot log ----\n{}", self.log());
        }
        if let Some(mut child) = self.child.take() {
            stop_child(&mut child, Duration::from_secs(10));
        }
    }
}
