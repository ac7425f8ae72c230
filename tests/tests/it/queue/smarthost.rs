//! Routes: relaying through a smart host (the ISP's relay) that requires STARTTLS and AUTH,
//! failover to the next relay, and what must never happen: plaintext when STARTTLS is
//! required, a password in the log.

use std::time::Duration;

use tests::Server;
use tests::peers::{
    Dnsmasq, Peer, alice_sends, certificate, free_port, has_recipient, queue_show, server,
    wait_state,
};

const PASSWORD: &str = "s3cret-Relay-pw";

/// `[[route]]` for everything through `relays`.
fn route(relays: &[String], password: &str, ca: &std::path::Path) -> String {
    format!(
        "[[route]]\ndomains = [\"*\"]\nrelay = [{}]\ntls = \"starttls\"\n\
         username = \"office@isp.test\"\npassword = \"{password}\"\nca = \"{}\"\n",
        relays
            .iter()
            .map(|r| format!("\"{r}\""))
            .collect::<Vec<_>>()
            .join(", "),
        ca.display()
    )
}

/// The ISP's relay: smtp.isp.test at `ip` (an aiosmtpd peer requiring STARTTLS and AUTH,
/// unless `plain`), with dead.isp.test at `dead` where nothing listens; dnsmasq knows both.
struct Isp {
    _certs: tempfile::TempDir,
    cert: std::path::PathBuf,
    peer: Peer,
    dns: Dnsmasq,
    port: u16,
}

impl Isp {
    fn start(ip: &str, dead: &str, plain: bool) -> Isp {
        let certs = tempfile::tempdir().expect("tempdir");
        let (cert, key) = certificate(certs.path(), "smtp.isp.test");
        let port = free_port(&["127.0.0.1", ip, dead]);
        let login = format!("office@isp.test:{PASSWORD}");
        let secured = [
            "--tls",
            cert.to_str().expect("path"),
            key.to_str().expect("path"),
            "--auth",
            &login,
        ];
        let peer = Peer::start(ip, port, if plain { &[] } else { &secured });
        let dns = Dnsmasq::start(
            port,
            &[
                format!("--host-record=dead.isp.test,{dead}"),
                format!("--host-record=smtp.isp.test,{ip}"),
            ],
        );
        Isp {
            _certs: certs,
            cert,
            peer,
            dns,
            port,
        }
    }

    /// A Postroom whose one route goes to `relays` (names of this ISP) with `password`.
    fn server(&self, relays: &[&str], password: &str, queue_keys: &str) -> Server {
        let relays: Vec<String> = relays
            .iter()
            .map(|r| format!("{r}:{}", self.port))
            .collect();
        server(
            self.dns.port,
            self.port,
            queue_keys,
            &route(&relays, password, &self.cert),
        )
    }
}

#[test]
fn mail_is_relayed_through_a_smart_host_with_starttls_and_auth_after_failover() {
    // dead.isp.test has nothing listening: the first relay fails, the second takes the mail.
    let isp = Isp::start("127.0.0.32", "127.0.0.31", false);
    let server = isp.server(&["dead.isp.test", "smtp.isp.test"], PASSWORD, "");
    alice_sends(&server, "someone@elsewhere.test", "relay-1@test");
    let got = isp.peer.wait_messages(1, Duration::from_secs(30));
    let (envelope, content) = &got[0];
    assert_eq!(envelope["tls"], true, "{envelope}");
    assert_eq!(envelope["auth"], "office@isp.test", "{envelope}");
    assert!(
        has_recipient(envelope, "someone@elsewhere.test"),
        "{envelope}"
    );
    assert!(content.contains("Message-ID: <relay-1@test>"), "{content}");
    wait_state(&server, "someone@elsewhere.test", "delivered", 10);
    let shown = queue_show(&server, "someone@elsewhere.test");
    assert!(shown.contains("smtp.isp.test [127.0.0.32]"), "{shown}");
    assert!(shown.contains("certificate verified"), "{shown}");
    assert!(
        !server.log().contains(PASSWORD),
        "the password is never logged"
    );
}

#[test]
fn a_wrong_password_defers_and_the_password_is_never_logged() {
    let isp = Isp::start("127.0.0.33", "127.0.0.35", false);
    let wrong = "Wrong-Pass-77";
    let server = isp.server(&["smtp.isp.test"], wrong, "retry = [\"1h\"]");
    alice_sends(&server, "someone@elsewhere.test", "relay-2@test");
    // A refused login is our configuration's fault: deferred, never bounced.
    wait_state(&server, "someone@elsewhere.test", "deferred", 30);
    assert!(
        isp.peer.events().contains("failed"),
        "{}",
        isp.peer.events()
    );
    assert!(isp.peer.messages().is_empty());
    let list = server.ok(&["queue", "list"]);
    assert!(list.contains("535"), "the relay's answer is shown: {list}");
    assert!(
        !server.log().contains(wrong),
        "the password is never logged"
    );
    assert!(!list.contains(wrong));
}

#[test]
fn a_relay_without_starttls_gets_nothing_when_the_route_requires_it() {
    let isp = Isp::start("127.0.0.34", "127.0.0.36", true);
    let server = isp.server(&["smtp.isp.test"], PASSWORD, "retry = [\"1h\"]");
    alice_sends(&server, "someone@elsewhere.test", "relay-3@test");
    wait_state(&server, "someone@elsewhere.test", "deferred", 30);
    assert!(
        isp.peer.messages().is_empty(),
        "nothing goes out in plain text"
    );
    assert!(server.ok(&["queue", "list"]).contains("STARTTLS"));
}
