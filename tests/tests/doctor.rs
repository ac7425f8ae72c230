//! The connectivity doctor (issue #7) against real peers on loopback: dnsmasq as the DNS
//! server (PTR, MX, A records and a blocklist zone), `ddns_peer.py` as the IP-echo service,
//! aiosmtpd (`queue_peer.py`) as the ISP's smart host with STARTTLS and AUTH, and a port
//! where nothing listens. Through `POST /api/doctor`, the one-click smart-host fix and
//! `postroom doctor`.

mod ddns_support;
mod queue_peers;

use ddns_support::api;
use queue_peers::{Dnsmasq, Peer, certificate, free_port};
use tests::{Options, Server};

/// The line's public address as the echo service tells it.
const PUBLIC_IP: &str = "81.2.69.160";
const REVERSED: &str = "160.69.2.81";
const RELAY_PASSWORD: &str = "isp-Relay-pw-7";

/// The ISP: its smart host smtp.isp.test at `ip` (STARTTLS, AUTH as office@isp.test), a
/// DNS server with `records` besides the relay's, and the IP-echo service.
struct Line {
    _certs: tempfile::TempDir,
    cert: std::path::PathBuf,
    relay: Peer,
    dns: Dnsmasq,
    echo: ddns_support::Peer,
    port: u16,
}

impl Line {
    fn start(ip: &str, records: &[String]) -> Line {
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
        let echo = ddns_support::Peer::start(PUBLIC_IP, "2001:db8::1");
        Line {
            _certs: certs,
            cert,
            relay,
            dns,
            echo,
            port,
        }
    }

    /// A Postroom (fixture domains example.test and catchall.test, hostname
    /// mx.example.test) with the admin API, testing port 25 at `port25`, the blocklist
    /// zones bl.test (lists us) and clean.test, and `extra` TOML.
    fn server(&self, port25: &str, extra: &str) -> (Server, String) {
        let toml = format!(
            "[dns]\nservers = [\"127.0.0.1:{dns}\"]\n\
             [ddns]\nipv4_endpoints = [\"{echo}/ip\"]\nipv6_endpoints = []\n\
             [doctor]\nport25_test_host = \"{port25}\"\nblocklists = [\"bl.test\", \"clean.test\"]\n\
             timeout = \"5s\"\n{extra}",
            dns = self.dns.port,
            echo = self.echo.url(),
        );
        let server = Server::with(Options {
            services: vec!["admin".into()],
            extra_toml: toml,
            ..Options::default()
        });
        let token = server.ok(&["admin", "token"]).trim().to_string();
        (server, token)
    }

    /// `[[route]]` for everything through the smart host with `password`.
    fn route(&self, password: &str) -> String {
        format!(
            "[[route]]\ndomains = [\"*\"]\nrelay = [\"smtp.isp.test:{}\"]\ntls = \"starttls\"\n\
             username = \"office@isp.test\"\npassword = \"{password}\"\nca = \"{}\"\n",
            self.port,
            self.cert.display()
        )
    }
}

/// DNS records that are right: PTR and A of mx.example.test, example.test's MX.
fn good_records() -> Vec<String> {
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

/// `POST /api/doctor`: the checks as JSON values.
fn doctor(server: &Server, token: &str) -> Vec<serde_json::Value> {
    let (code, text) = api(server, token, "POST", "/api/doctor", "{}");
    assert_eq!(code, 200, "{text}");
    serde_json::from_str(&text).expect("JSON list")
}

/// The check with `id` (and `domain` detail, if given).
fn find<'a>(
    checks: &'a [serde_json::Value],
    id: &str,
    domain: Option<&str>,
) -> &'a serde_json::Value {
    checks
        .iter()
        .find(|c| c["id"] == id && domain.is_none_or(|d| c["details"]["domain"] == d))
        .unwrap_or_else(|| panic!("no check {id} {domain:?} in {checks:#?}"))
}

#[test]
fn a_well_set_up_line_passes_and_wrong_records_and_a_listing_are_found() {
    let line = Line::start("127.0.0.51", &good_records());
    let port25 = format!("smtp.isp.test:{}", line.port);
    let (server, token) = line.server(&port25, &line.route(RELAY_PASSWORD));
    let checks = doctor(&server, &token);

    let port25 = find(&checks, "port25", None);
    assert_eq!(port25["status"], "ok", "{port25:#}");
    assert!(
        port25["details"]["greeting"]
            .as_str()
            .is_some_and(|g| g.starts_with("220")),
        "{port25:#}"
    );
    let ip = find(&checks, "public_ip", None);
    assert_eq!(ip["status"], "ok", "{ip:#}");
    assert_eq!(ip["details"]["ip"], PUBLIC_IP);
    assert_eq!(
        ip["texts"]["zh"]["summary"],
        format!("您的公网 IP 地址是 {PUBLIC_IP}。")
    );
    let ptr = find(&checks, "ptr", None);
    assert_eq!(ptr["status"], "ok", "{ptr:#}");
    assert_eq!(ptr["summary"]["key"], "ptr.ok");
    assert_eq!(find(&checks, "hostname", None)["status"], "ok");
    assert_eq!(find(&checks, "mx", Some("example.test"))["status"], "ok");
    let elsewhere = find(&checks, "mx", Some("catchall.test"));
    assert_eq!(elsewhere["status"], "problem", "{elsewhere:#}");
    assert_eq!(elsewhere["fix"]["key"], "fix.mx");
    assert_eq!(elsewhere["details"]["hosts"], "mx.elsewhere.test");

    let listed = find(&checks, "blocklist", None);
    assert_eq!(listed["status"], "problem", "{listed:#}");
    assert_eq!(listed["summary"]["params"]["zones"], "bl.test");
    assert!(
        listed["details"]["bl.test"]
            .as_str()
            .is_some_and(|t| t.contains("127.0.0.2"))
    );
    assert_eq!(listed["details"]["clean.test"], "not listed");

    let smart = find(&checks, "smart_host", None);
    assert_eq!(smart["status"], "ok", "{smart:#}");
    assert_eq!(smart["summary"]["key"], "smart_host.ok_auth");
    let events = line.relay.events();
    assert!(
        line.relay.messages().is_empty(),
        "no mail was sent: {events}"
    );

    // The CLI renders the same checks in Chinese; a problem makes it exit 1.
    let out = server.cli(&["doctor", "--lang", "zh"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains(&format!(
            "[ok] ptr: {PUBLIC_IP} 的反向解析（PTR）是 mx.example.test"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("[problem] blocklist:"), "{stdout}");
    assert!(
        stdout.contains("解决办法: 动态宽带地址常被列入黑名单"),
        "{stdout}"
    );
    let english = server.cli(&["doctor"], None);
    let english = String::from_utf8_lossy(&english.stdout);
    assert!(
        english.contains("[ok] smart_host: The smart host smtp.isp.test:"),
        "{english}"
    );
}

#[test]
fn a_blocked_port_25_a_foreign_ptr_and_a_wrong_password_are_problems_with_a_one_click_fix() {
    let records = vec![
        format!("--ptr-record={REVERSED}.in-addr.arpa,dyn-81-2-69-160.isp.test"),
        format!("--host-record=mx.example.test,{PUBLIC_IP}"),
        "--mx-host=example.test,mx.example.test,10".into(),
        "--address=/bl.test/".into(),
        "--address=/clean.test/".into(),
    ];
    let line = Line::start("127.0.0.52", &records);
    // Nothing listens here: the connection is refused, as with an ISP's port-25 block.
    let closed = free_port(&["127.0.0.53"]);
    let (server, token) = line.server(
        &format!("127.0.0.53:{closed}"),
        &line.route("wrong-password"),
    );
    let checks = doctor(&server, &token);
    // With a catch-all route already set, a blocked port 25 is only a warning.
    let port25 = find(&checks, "port25", None);
    assert_eq!(port25["status"], "warning", "{port25:#}");
    assert_eq!(port25["summary"]["key"], "port25.blocked_routed");
    let ptr = find(&checks, "ptr", None);
    assert_eq!(ptr["status"], "warning", "{ptr:#}");
    assert_eq!(ptr["summary"]["key"], "ptr.mismatch");
    assert_eq!(ptr["details"]["ptr"], "dyn-81-2-69-160.isp.test");
    assert_eq!(ptr["fix"]["key"], "fix.ptr");
    assert_eq!(find(&checks, "blocklist", None)["status"], "ok");
    let smart = find(&checks, "smart_host", None);
    assert_eq!(smart["status"], "problem", "{smart:#}");
    assert_eq!(smart["summary"]["key"], "smart_host.auth_failed");
    assert_eq!(smart["fix"]["key"], "fix.smart_host_password");

    // Without the route, the block is a problem whose fix is the smart host.
    let (code, text) = api(&server, &token, "PUT", "/api/settings", "{\"route\": null}");
    assert_eq!(code, 200, "{text}");
    let checks = doctor(&server, &token);
    let port25 = find(&checks, "port25", None);
    assert_eq!(port25["status"], "problem", "{port25:#}");
    assert_eq!(port25["summary"]["key"], "port25.blocked");
    assert_eq!(port25["fix"]["key"], "fix.smart_host");
    assert!(
        port25["texts"]["en"]["summary"]
            .as_str()
            .is_some_and(|t| t.contains("your ISP probably blocks port 25")),
        "{port25:#}"
    );
    assert_eq!(find(&checks, "smart_host", None)["status"], "skipped");

    // The one-click fix writes the catch-all route; the settings show it; it works.
    let fix = serde_json::json!({
        "host": "smtp.isp.test", "port": line.port, "tls": "starttls",
        "username": "office@isp.test", "password": RELAY_PASSWORD,
        "ca": line.cert.display().to_string(),
    });
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/doctor/smart-host",
        &fix.to_string(),
    );
    assert_eq!(code, 200, "{text}");
    let (code, settings) = api(&server, &token, "GET", "/api/settings", "");
    assert_eq!(code, 200, "{settings}");
    let settings: serde_json::Value = serde_json::from_str(&settings).expect("JSON");
    let route = &settings["settings"]["route"][0];
    assert_eq!(route["domains"], serde_json::json!(["*"]), "{route:#}");
    assert_eq!(
        route["relay"],
        serde_json::json!([format!("smtp.isp.test:{}", line.port)])
    );
    assert_eq!(route["password"], "********");
    let file = std::fs::read_to_string(server.data_dir().join("postroom.toml")).expect("file");
    assert!(
        file.contains(&format!("password = \"{RELAY_PASSWORD}\"")),
        "{file}"
    );
    // An edit in place: the file starts as it did.
    assert!(
        file.starts_with("hostname = \"mx.example.test\"\n[listen]\n"),
        "{file}"
    );
    let checks = doctor(&server, &token);
    let smart = find(&checks, "smart_host", None);
    assert_eq!(smart["status"], "ok", "{smart:#}");
    assert_eq!(find(&checks, "port25", None)["status"], "warning");

    // A fix without a host is refused with the field named.
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/doctor/smart-host",
        "{\"host\": \" \", \"port\": 587}",
    );
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("\"field\":\"host\""), "{text}");
}
