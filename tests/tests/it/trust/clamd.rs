//! Virus scanning through Debian's clamav-daemon (clamd's INSTREAM), started by the test on a
//! loopback port with a local signature database holding only the EICAR test signature (no
//! freshclam, no network): a virus is refused 554 5.7.1, a clean message delivered; with
//! clamd gone, 451 4.7.1 by default, or delivery marked CLAMD_DOWN with `clamd_down = "accept"`.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tests::peers::free_port;
use tests::{Options, Server, SmtpConn, message, stop_child, wait_until};

/// The EICAR anti-virus test string (eicar.org): harmless, recognised by every scanner.
const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// clamd on 127.0.0.1:port with a body signature for the EICAR string.
struct Clamd {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Clamd {
    fn start(port: u16) -> Clamd {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("db");
        std::fs::create_dir(&db).expect("mkdir");
        let hex: String = EICAR.bytes().map(|b| format!("{b:02x}")).collect();
        std::fs::write(
            db.join("eicar.ndb"),
            format!("Eicar-Test-Signature:0:*:{hex}\n"),
        )
        .expect("signature");
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nTCPSocket {port}\nTCPAddr 127.0.0.1\nDatabaseDirectory {}\n\
                 LogFile {}\n",
                db.display(),
                dir.path().join("clamd.log").display()
            ),
        )
        .expect("clamd.conf");
        let child = Command::new("clamd")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start clamd (apt-get install clamav-daemon)");
        wait_until(Duration::from_secs(120), "clamd to listen", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Clamd { child, _dir: dir }
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        stop_child(&mut self.child, Duration::from_secs(5));
    }
}

fn server(clamd: &str) -> Server {
    Server::with(Options {
        extra_toml: tests::checking_local_clients(&format!("[filter]\n{clamd}\n")),
        ..Options::default()
    })
}

/// Sends a message with `body`; returns the reply to its end of data.
fn send(server: &Server, id: &str, body: &str) -> String {
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail("alice@example.test");
    c.expect("DATA", "354");
    let text = message(id, "scan").replace("Hello.\r\n", &format!("{body}\r\n"));
    c.send(format!("{text}.\r\n").as_bytes());
    c.reply()
}

#[test]
fn clamd_refuses_eicar_delivers_clean_mail_and_tempfails_when_gone() {
    let port = free_port(&["127.0.0.1"]);
    let mut clamd = Clamd::start(port);
    let server = server(&format!("clamd = \"127.0.0.1:{port}\""));
    let r = send(&server, "virus@test", EICAR);
    assert!(r.starts_with("554 5.7.1"), "{r}");
    assert!(r.contains("Eicar-Test-Signature"), "{r}");
    let r = send(&server, "clean@test", "Just a letter.");
    assert!(r.starts_with("250 2.0.0"), "{r}");
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<clean@test>"]
    );
    stop_child(&mut clamd.child, Duration::from_secs(5));
    let r = send(&server, "later@test", "Just a letter.");
    assert!(r.starts_with("451 4.7.1"), "{r}");
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<clean@test>"]
    );
}

#[test]
fn with_clamd_down_accept_mail_is_delivered_and_marked() {
    // Nothing listens there.
    let port = free_port(&["127.0.0.1"]);
    let server = server(&format!(
        "clamd = \"127.0.0.1:{port}\"\nclamd_down = \"accept\""
    ));
    let r = send(&server, "marked@test", "Just a letter.");
    assert!(r.starts_with("250 2.0.0"), "{r}");
    server.mbox_with("alice@example.test", &["<marked@test>", "CLAMD_DOWN"]);
}
