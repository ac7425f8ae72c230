//! The connectivity doctor (issue #7) against real peers on loopback (`doctor_support`):
//! dnsmasq as the DNS server (PTR, MX, A and AAAA records and a blocklist zone),
//! `ddns_peer.py` as the IP-echo service on 127.0.0.1 and [::1], aiosmtpd as the ISP's smart
//! host with STARTTLS and AUTH, a port where nothing listens, and a DNS server that never
//! answers. Through `POST /api/doctor`, the one-click smart-host fix and `postroom doctor`.

use tests::ddns::api;
use tests::doctor::{
    Ipv6, Line, PUBLIC_IP, PUBLIC_IP6, RELAY_PASSWORD, REVERSED, STALE_IP6, doctor,
    dual_stack_records, expect, find, good_records, server,
};
use tests::peers::free_port;

#[test]
fn a_well_set_up_line_passes_and_wrong_records_and_a_listing_are_found() {
    let line = Line::start("127.0.0.51", &good_records());
    let port25 = format!("smtp.isp.test:{}", line.port);
    let (server, token) = line.server(&port25, Ipv6::Off, &line.route(RELAY_PASSWORD));
    let checks = doctor(&server, &token);

    expect(&checks, "dns", None, "ok", "dns.ok");

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
    expect(&checks, "ptr", None, "ok", "ptr.ok");
    // Without IPv6 endpoints, IPv6 is not checked, and nothing depends on it.
    expect(
        &checks,
        "public_ip6",
        None,
        "skipped",
        "public_ip6.no_endpoints",
    );
    assert!(
        checks
            .iter()
            .all(|c| !["ptr6", "mx6", "blocklist6"].contains(&c["id"].as_str().unwrap_or(""))),
        "{checks:#?}"
    );
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
        // An AAAA record left over from a line that had IPv6.
        format!("--host-record=mx.example.test,{PUBLIC_IP},{STALE_IP6}"),
        "--mx-host=example.test,mx.example.test,10".into(),
        "--address=/bl.test/".into(),
        "--address=/clean.test/".into(),
    ];
    let line = Line::start("127.0.0.52", &records);
    // Nothing listens here: the connection is refused, as with an ISP's port-25 block.
    let closed = free_port(&["127.0.0.53"]);
    // This line has no IPv6: the IPv6 echo endpoint cannot be reached.
    let (server, token) = line.server(
        &format!("127.0.0.53:{closed}"),
        Ipv6::Unreachable,
        &line.route("wrong-password"),
    );
    let checks = doctor(&server, &token);
    let none = expect(&checks, "public_ip6", None, "ok", "public_ip6.none");
    assert_eq!(
        none["texts"]["en"]["summary"],
        "This line has no public IPv6 address. That is fine: mail works over IPv4."
    );
    assert!(none["fix"].is_null(), "{none:#}");
    assert!(
        checks
            .iter()
            .all(|c| c["id"] != "ptr6" && c["id"] != "blocklist6"),
        "{checks:#?}"
    );
    // ... but senders that use IPv6 would go to the left-over AAAA record.
    let stale = expect(
        &checks,
        "mx6",
        Some("example.test"),
        "warning",
        "mx6.no_ipv6_here",
    );
    assert_eq!(stale["details"]["addresses"], STALE_IP6);
    assert_eq!(stale["fix"]["key"], "fix.mx6_remove");
    assert_eq!(
        stale["texts"]["zh"]["fix"],
        "请在域名解析服务商处删除 mx.example.test 的 AAAA 记录。"
    );
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
    assert_eq!(tests::json(&text)["field"], "host", "{text}");
}

#[test]
fn a_dual_stack_line_gets_ipv6_results_and_wrong_aaaa_records_are_warnings_while_ipv4_works() {
    let line = Line::start("127.0.0.55", &dual_stack_records());
    let port25 = format!("smtp.isp.test:{}", line.port);
    let (server, token) = line.server(&port25, Ipv6::Echo, "");
    for domain in ["far.test", "v4only.test"] {
        server.ok(&["domain", "add", domain]);
    }
    let checks = doctor(&server, &token);

    let ip6 = expect(&checks, "public_ip6", None, "ok", "public_ip6.ok");
    assert_eq!(ip6["details"]["ip"], PUBLIC_IP6);
    assert_eq!(
        ip6["texts"]["zh"]["summary"],
        format!("您的公网 IPv6 地址是 {PUBLIC_IP6}。")
    );
    // Forward-confirmed: the PTR name's AAAA record is the address again.
    let ptr6 = expect(&checks, "ptr6", None, "ok", "ptr.ok");
    assert_eq!(ptr6["details"]["ptr"], "mx.example.test");
    assert_eq!(
        ptr6["details"]["addresses"],
        format!("{PUBLIC_IP}, {PUBLIC_IP6}")
    );
    expect(&checks, "ptr", None, "ok", "ptr.ok");
    expect(&checks, "mx6", Some("example.test"), "ok", "mx6.ok");
    expect(&checks, "mx", Some("catchall.test"), "ok", "mx.ok");
    let old = expect(
        &checks,
        "mx6",
        Some("catchall.test"),
        "warning",
        "mx6.elsewhere",
    );
    assert_eq!(old["details"]["addresses"], STALE_IP6);
    assert_eq!(old["fix"]["key"], "fix.mx6");
    assert_eq!(
        old["texts"]["en"]["fix"],
        format!(
            "At your DNS provider, set the AAAA record of mx.catchall.test to {PUBLIC_IP6}, or delete it."
        )
    );
    // With IPv4 elsewhere too, the IPv6 mismatch is a problem.
    expect(&checks, "mx", Some("far.test"), "problem", "mx.elsewhere");
    expect(&checks, "mx6", Some("far.test"), "problem", "mx6.elsewhere");
    let v4only = expect(&checks, "mx6", Some("v4only.test"), "ok", "mx6.no_aaaa");
    assert!(
        v4only["texts"]["zh"]["summary"]
            .as_str()
            .is_some_and(|t| t.contains("邮件通过 IPv4 送达")),
        "{v4only:#}"
    );
    expect(&checks, "blocklist", None, "ok", "blocklist.ok");
    let listed = expect(&checks, "blocklist6", None, "warning", "blocklist6.listed");
    assert_eq!(listed["summary"]["params"]["zones"], "bl.test");
    assert_eq!(listed["details"]["bl.test"], "listed (127.0.0.2)");
    assert_eq!(
        listed["details"]["clean.test"],
        "the list refused the query (127.255.255.254)"
    );
    assert!(
        listed["texts"]["en"]["summary"]
            .as_str()
            .is_some_and(|t| t.contains("mail sent over IPv6 may be refused")),
        "{listed:#}"
    );

    // The line gets a new IPv6 address: no PTR, the records still at the old one.
    let new6 = "2a00:1450:4001::2";
    line.echo.set("ip6", new6);
    let checks = doctor(&server, &token);
    assert_eq!(find(&checks, "public_ip6", None)["details"]["ip"], new6);
    let missing = expect(&checks, "ptr6", None, "warning", "ptr6.missing");
    assert_eq!(missing["fix"]["key"], "fix.ptr");
    assert_eq!(
        missing["texts"]["en"]["fix"],
        format!("Ask your ISP to set the reverse DNS (PTR) of {new6} to mx.example.test.")
    );
    expect(
        &checks,
        "mx6",
        Some("example.test"),
        "warning",
        "mx6.elsewhere",
    );
    expect(&checks, "blocklist6", None, "ok", "blocklist.ok");
    let out = server.cli(&["doctor", "--lang", "zh"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("[warning] ptr6: {new6} 没有反向解析（PTR）记录。")),
        "{stdout}"
    );
}

#[test]
fn a_dns_server_that_does_not_answer_is_named_and_the_checks_that_need_it_are_skipped() {
    // Takes every query and never answers: a bound UDP socket that nobody reads.
    let dead = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let dead_port = dead.local_addr().expect("addr").port();
    let echo = tests::ddns::Peer::start(PUBLIC_IP, PUBLIC_IP6);
    let closed = free_port(&["127.0.0.56"]);
    let route = "[[route]]\ndomains = [\"*\"]\nrelay = [\"smtp.isp.test:587\"]\n";
    let port25 = format!("127.0.0.56:{closed}");
    let (server, token) = server(dead_port, &echo, Ipv6::Echo, &port25, route);
    let checks = doctor(&server, &token);

    let dns = expect(&checks, "dns", None, "problem", "dns.down");
    let servers = format!("127.0.0.1:{dead_port}");
    assert_eq!(dns["details"]["servers"], servers);
    assert_eq!(dns["fix"]["key"], "fix.dns_servers");
    assert_eq!(
        dns["texts"]["en"]["summary"],
        format!(
            "The DNS server is not answering ({servers}): no name can be looked up, so no mail can be sent."
        )
    );
    assert_eq!(
        dns["texts"]["zh"]["summary"],
        format!("DNS 服务器没有应答（{servers}）：无法解析任何域名，邮件无法发出。")
    );
    for id in [
        "ptr",
        "ptr6",
        "hostname",
        "blocklist",
        "blocklist6",
        "smart_host",
    ] {
        expect(&checks, id, None, "skipped", "skipped.dns_down");
    }
    for domain in ["example.test", "catchall.test"] {
        expect(&checks, "mx", Some(domain), "skipped", "skipped.dns_down");
    }
    // What needs no DNS still ran: the echo services, and port 25 of an address.
    expect(&checks, "public_ip", None, "ok", "public_ip.ok");
    let ip6 = expect(&checks, "public_ip6", None, "ok", "public_ip6.ok");
    assert_eq!(ip6["details"]["ip"], PUBLIC_IP6);
    let port25 = expect(&checks, "port25", None, "warning", "port25.blocked_routed");
    assert_eq!(
        port25["details"]["host"],
        format!("127.0.0.56 [127.0.0.56]:{closed}")
    );

    let out = server.cli(&["doctor"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.starts_with(&format!(
            "[problem] dns: The DNS server is not answering ({servers})"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("[skipped] ptr: Not checked: the DNS server is not answering."),
        "{stdout}"
    );
    drop(dead);
}
