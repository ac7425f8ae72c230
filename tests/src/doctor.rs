//! The doctor tests' line (doctor.rs): the ISP's smart host (aiosmtpd, `queue_peer.py`, with
//! STARTTLS and AUTH), dnsmasq as the DNS server, and `ddns_peer.py` as the IP-echo service
//! on 127.0.0.1 and [::1]; a Postroom pointed at them; the doctor's answers.

use crate::ddns::api;
use crate::peers::{Dnsmasq, Peer, certificate, free_port};
use crate::{Options, Server};

/// The line's public addresses as the echo service tells them, and their reversed forms
/// (RFC 1035 §3.5; RFC 3596 §2.5 and RFC 5782 §2.4: all 32 nibbles, written out by hand).
pub const PUBLIC_IP: &str = "81.2.69.160";
pub const REVERSED: &str = "160.69.2.81";
pub const PUBLIC_IP6: &str = "2a00:1450:4001::1";
pub const REVERSED6: &str = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.4.0.5.4.1.0.0.a.2";
/// An IPv6 address the line no longer has, left in AAAA records.
pub const STALE_IP6: &str = "2a00:1450:4001::99";
pub const RELAY_PASSWORD: &str = "isp-Relay-pw-7";

/// Which IPv6 echo endpoint the server asks.
#[derive(Clone, Copy)]
pub enum Ipv6 {
    /// None: IPv6 is not checked.
    Off,
    /// The echo service on [::1]: a dual-stack line.
    Echo,
    /// A port on [::1] where nothing listens: a line without IPv6.
    Unreachable,
}

/// The ISP: its smart host smtp.isp.test at `ip` (STARTTLS, AUTH as office@isp.test), a
/// DNS server with `records` besides the relay's, and the IP-echo service.
pub struct Line {
    _certs: tempfile::TempDir,
    pub cert: std::path::PathBuf,
    pub relay: Peer,
    pub dns: Dnsmasq,
    pub echo: crate::ddns::Peer,
    pub port: u16,
}

impl Line {
    pub fn start(ip: &str, records: &[String]) -> Line {
        let certs = tempfile::tempdir().expect("tempdir");
        let (cert, key) = certificate(certs.path(), "smtp.isp.test");
        let port = free_port(&["127.0.0.1", ip]);
        let login = format!("office@isp.test:{RELAY_PASSWORD}");
        let relay = Peer::start(
            ip,
            port,
            &[
                "--tls",
                cert.to_str().expect("path"),
                key.to_str().expect("path"),
                "--auth",
                &login,
            ],
        );
        let mut all = vec![format!("--host-record=smtp.isp.test,{ip}")];
        all.extend_from_slice(records);
        let dns = Dnsmasq::start(port, &all);
        let echo = crate::ddns::Peer::start(PUBLIC_IP, PUBLIC_IP6);
        Line {
            _certs: certs,
            cert,
            relay,
            dns,
            echo,
            port,
        }
    }

    /// A Postroom asking this line's DNS server and echo service (see [`server`]).
    pub fn server(&self, port25: &str, ipv6: Ipv6, extra: &str) -> (Server, String) {
        server(self.dns.port, &self.echo, ipv6, port25, extra)
    }

    /// `[[route]]` for everything through the smart host with `password`.
    pub fn route(&self, password: &str) -> String {
        format!(
            "[[route]]\ndomains = [\"*\"]\nrelay = [\"smtp.isp.test:{}\"]\ntls = \"starttls\"\n\
             username = \"office@isp.test\"\npassword = \"{password}\"\nca = \"{}\"\n",
            self.port,
            self.cert.display()
        )
    }
}

/// A Postroom (fixture domains example.test and catchall.test, hostname mx.example.test)
/// with the admin API, asking the DNS server on 127.0.0.1:`dns_port` and `echo`, testing
/// port 25 at `port25`, the blocklist zones bl.test and clean.test, and `extra` TOML.
pub fn server(
    dns_port: u16,
    echo: &crate::ddns::Peer,
    ipv6: Ipv6,
    port25: &str,
    extra: &str,
) -> (Server, String) {
    let ipv6 = match ipv6 {
        Ipv6::Off => String::new(),
        Ipv6::Echo => format!("\"http://[::1]:{}/ip\"", echo.port6),
        Ipv6::Unreachable => format!("\"http://[::1]:{}/ip\"", free_port(&["::1"])),
    };
    let toml = format!(
        "[dns]\nservers = [\"127.0.0.1:{dns_port}\"]\n\
         [ddns]\nipv4_endpoints = [\"{echo}/ip\"]\nipv6_endpoints = [{ipv6}]\n\
         [doctor]\nport25_test_host = \"{port25}\"\nblocklists = [\"bl.test\", \"clean.test\"]\n\
         timeout = \"5s\"\n{extra}",
        echo = echo.url(),
    );
    let server = Server::with(Options {
        services: vec!["admin".into()],
        extra_toml: toml,
        ..Options::default()
    });
    let token = server.ok(&["admin", "token"]).trim().to_string();
    (server, token)
}

/// DNS records that are right: PTR and A of mx.example.test, example.test's MX.
pub fn good_records() -> Vec<String> {
    vec![
        format!("--ptr-record={REVERSED}.in-addr.arpa,mx.example.test"),
        format!("--host-record=mx.example.test,{PUBLIC_IP}"),
        "--mx-host=example.test,mx.example.test,10".into(),
        // catchall.test's mail goes to another server.
        "--mx-host=catchall.test,mx.elsewhere.test,10".into(),
        "--host-record=mx.elsewhere.test,192.0.2.7".into(),
        // RFC 5782: listed in bl.test; clean.test answers NXDOMAIN.
        format!("--host-record={REVERSED}.bl.test,127.0.0.2"),
        "--address=/clean.test/".into(),
    ]
}

/// DNS records of a dual-stack line: mx.example.test with both addresses and their PTRs,
/// and domains whose MX hosts' AAAA records are ours, old, elsewhere, or absent.
pub fn dual_stack_records() -> Vec<String> {
    vec![
        format!("--host-record=mx.example.test,{PUBLIC_IP},{PUBLIC_IP6}"),
        format!("--ptr-record={REVERSED}.in-addr.arpa,mx.example.test"),
        format!("--ptr-record={REVERSED6}.ip6.arpa,mx.example.test"),
        // Any other IPv6 address has no PTR: NXDOMAIN, as a real reverse zone answers.
        "--local=/ip6.arpa/".into(),
        "--mx-host=example.test,mx.example.test,10".into(),
        // catchall.test: IPv4 here, IPv6 at an old address.
        "--mx-host=catchall.test,mx.catchall.test,10".into(),
        format!("--host-record=mx.catchall.test,{PUBLIC_IP},{STALE_IP6}"),
        // far.test: both elsewhere.
        "--mx-host=far.test,mx.far.test,10".into(),
        "--host-record=mx.far.test,192.0.2.7,2001:db8::7".into(),
        // v4only.test: no AAAA record.
        "--mx-host=v4only.test,mx.v4only.test,10".into(),
        format!("--host-record=mx.v4only.test,{PUBLIC_IP}"),
        // bl.test lists the IPv6 address (RFC 5782 §2.4) but not the IPv4 one; clean.test
        // refuses the query as Spamhaus does one through a public resolver.
        format!("--host-record={REVERSED6}.bl.test,127.0.0.2"),
        "--local=/bl.test/".into(),
        format!("--host-record={REVERSED6}.clean.test,127.255.255.254"),
        "--local=/clean.test/".into(),
    ]
}

/// `POST /api/doctor`: the checks as JSON values.
pub fn doctor(server: &Server, token: &str) -> Vec<serde_json::Value> {
    let (code, text) = api(server, token, "POST", "/api/doctor", "{}");
    assert_eq!(code, 200, "{text}");
    serde_json::from_str(&text).expect("JSON list")
}

/// The check with `id` (and `domain` detail, if given).
pub fn find<'a>(
    checks: &'a [serde_json::Value],
    id: &str,
    domain: Option<&str>,
) -> &'a serde_json::Value {
    checks
        .iter()
        .find(|c| c["id"] == id && domain.is_none_or(|d| c["details"]["domain"] == d))
        .unwrap_or_else(|| panic!("no check {id} {domain:?} in {checks:#?}"))
}

/// Asserts the check's status and summary key; returns it.
pub fn expect<'a>(
    checks: &'a [serde_json::Value],
    id: &str,
    domain: Option<&str>,
    status: &str,
    key: &str,
) -> &'a serde_json::Value {
    let check = find(checks, id, domain);
    assert_eq!(check["status"], status, "{check:#}");
    assert_eq!(check["summary"]["key"], key, "{check:#}");
    check
}
