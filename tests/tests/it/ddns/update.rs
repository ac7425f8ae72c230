//! Dynamic DNS against the real binary: `tests/fixtures/ddns_peer.py` plays the IP-echo
//! service and the dyndns2, Cloudflare, DNSPod (TC3-signed) and Alibaba (HMAC-SHA1-signed)
//! APIs, checking credentials and signatures independently of the Rust code. A changed echo
//! answer must update every record exactly once; refusals stop a record; temporary failures
//! are retried; secrets never reach the log or the status API.

use tests::ddns::*;
use tests::{Options, Server, json};

#[test]
fn an_address_change_updates_every_record_exactly_once() {
    let peer = Peer::start("81.2.69.160", "2a00:1450:4001::1");
    let records = [
        record(
            "dyndns2",
            "mail.example.test",
            &[
                ("endpoint", &peer.url()),
                ("username", DYN.0),
                ("password", DYN.1),
            ],
        ),
        record(
            "dyndns2",
            "v6.example.test",
            &[
                ("endpoint", &peer.url()),
                ("username", DYN.0),
                ("password", DYN.1),
                ("ipv6", "true"),
            ],
        ),
        record(
            "cloudflare",
            "cf.example.test",
            &[
                ("endpoint", &format!("{}/client/v4", peer.url())),
                ("zone", CF_ZONE),
                ("password", CF_TOKEN),
            ],
        ),
        record(
            "dnspod",
            "pod.example.test",
            &[
                ("endpoint", &peer.url()),
                ("zone", "example.test"),
                ("username", TC.0),
                ("password", TC.1),
            ],
        ),
        record(
            "alidns",
            "ali.example.test",
            &[
                ("endpoint", &peer.url()),
                ("zone", "example.test"),
                ("username", ALI.0),
                ("password", ALI.1),
            ],
        ),
    ]
    .concat();
    let (server, token) = server(&peer, true, &records);
    let log = server.log_path();
    let context = || dump(&peer, &log);
    let all_at = |ip: &str| {
        let updates = peer.updates();
        [
            format!("dyndns2 mail.example.test A {ip}"),
            format!("dyndns2 v6.example.test A {ip}"),
            "dyndns2 v6.example.test AAAA 2a00:1450:4001::1".to_string(),
            format!("cloudflare cf.example.test A {ip}"),
            format!("dnspod pod A {ip}"),
            format!("alidns ali A {ip}"),
        ]
        .iter()
        .all(|line| updates.lines().any(|l| l == line))
    };
    wait_until(
        "every record at the first address",
        || all_at("81.2.69.160"),
        &context,
    );

    peer.change_address("81.2.69.161", || all_at("81.2.69.161"), &context);
    for (prefix, want) in [
        ("dyndns2 update", 4),
        ("cloudflare patch", 2),
        ("dnspod ModifyRecord", 2),
        ("alidns UpdateDomainRecord", 2),
    ] {
        assert_eq!(peer.requests(prefix), want, "{prefix}\n{}", context());
    }
    assert!(peer.requests("echo private") >= 2, "{}", context());
    let text = status(&server, &token);
    let ddns = json(&text);
    assert!(
        ddns["enabled"] == true
            && ddns["ipv4"] == "81.2.69.161"
            && ddns["ipv6"] == "2a00:1450:4001::1",
        "{text}"
    );
    let records = ddns["records"].as_array().expect("records");
    let count =
        |key: &str, value: serde_json::Value| records.iter().filter(|r| r[key] == value).count();
    assert_eq!(count("last_result", "good".into()), 5, "{text}");
    assert_eq!(count("stopped", false.into()), 5, "{text}");
    no_secrets(&server, &text);
}

#[test]
fn refusals_stop_a_record_and_temporary_failures_are_retried() {
    let peer = Peer::start("81.2.69.160", "2a00:1450:4001::1");
    peer.set("fail-dyndns2-abuse.example.test", "abuse\n");
    peer.set("fail-dyndns2-retry.example.test", "911\n500\n");
    peer.set("fail-cloudflare", "500\n");
    peer.set("fail-dnspod", "500\n");
    peer.set("fail-alidns", "500\n");
    let dyn_record = |host: &str, password: &str| {
        record(
            "dyndns2",
            host,
            &[
                ("endpoint", &peer.url()),
                ("username", DYN.0),
                ("password", password),
            ],
        )
    };
    let cf = |token: &str| {
        record(
            "cloudflare",
            "cf.example.test",
            &[
                ("endpoint", &format!("{}/client/v4", peer.url())),
                ("zone", CF_ZONE),
                ("password", token),
            ],
        )
    };
    let signed = |provider: &str, host: &str, id: &str, secret: &str| {
        record(
            provider,
            host,
            &[
                ("endpoint", &peer.url()),
                ("zone", "example.test"),
                ("username", id),
                ("password", secret),
            ],
        )
    };
    let records = [
        dyn_record("mail.example.test", "wrong-SECRET-1"),
        dyn_record("nohost.example.test", DYN.1),
        dyn_record("abuse.example.test", DYN.1),
        dyn_record("retry.example.test", DYN.1),
        cf("wrong-SECRET-2"),
        cf(CF_TOKEN),
        signed("dnspod", "pod.example.test", TC.0, "wrong-SECRET-3"),
        signed("dnspod", "pod.example.test", TC.0, TC.1),
        signed("alidns", "ali.example.test", ALI.0, "wrong-SECRET-4"),
        signed("alidns", "ali.example.test", ALI.0, ALI.1),
    ]
    .concat();
    let (server, token) = server(&peer, true, &records);
    let log = server.log_path();
    let context = || dump(&peer, &log);
    let updated = |line: &str| peer.updates().lines().any(|l| l == line);
    wait_until(
        "the retried records updated",
        || {
            updated("dyndns2 retry.example.test A 81.2.69.160")
                && updated("cloudflare cf.example.test A 81.2.69.160")
                && updated("dnspod pod A 81.2.69.160")
                && updated("alidns ali A 81.2.69.160")
        },
        &context,
    );
    for prefix in [
        "dyndns2 update 911",
        "dyndns2 update http-500",
        "cloudflare GET http-500",
        "dnspod DescribeRecordList http-500",
        "alidns DescribeDomainRecords http-503",
    ] {
        assert_eq!(peer.requests(prefix), 1, "{prefix}\n{}", context());
    }
    // A new address: the refused records must still not ask again.
    let retried = || updated("dyndns2 retry.example.test A 81.2.69.161");
    peer.change_address("81.2.69.161", retried, &context);
    for prefix in [
        "dyndns2 update badauth",
        "dyndns2 update nohost",
        "dyndns2 update abuse",
        "cloudflare GET badauth",
        "dnspod DescribeRecordList AuthFailure.SignatureFailure",
        "alidns DescribeDomainRecords SignatureDoesNotMatch",
    ] {
        assert_eq!(peer.requests(prefix), 1, "{prefix}\n{}", context());
    }
    let text = status(&server, &token);
    let ddns = json(&text);
    let records = ddns["records"].as_array().expect("records");
    let count =
        |key: &str, value: serde_json::Value| records.iter().filter(|r| r[key] == value).count();
    assert_eq!(count("stopped", true.into()), 6, "{text}");
    for word in [
        "badauth",
        "nohost",
        "abuse",
        "HTTP 403",
        "AuthFailure.SignatureFailure",
        "SignatureDoesNotMatch",
    ] {
        // Each refusal's word is in some record's status (its result or error).
        let told = records.iter().any(|r| r.to_string().contains(word));
        assert!(told, "{word} in {text}");
    }
    assert_eq!(count("last_result", "good".into()), 4, "{text}");
    no_secrets(&server, &text);
}

#[test]
fn ddns_is_off_unless_enabled() {
    let server = Server::with(Options {
        services: vec!["admin".into()],
        empty: true,
        ..Options::default()
    });
    let token = server.ok(&["admin", "token"]).trim().to_string();
    let text = status(&server, &token);
    let ddns = json(&text);
    assert!(
        ddns["enabled"] == false
            && ddns["records"] == serde_json::json!([])
            && ddns["last_check"].is_null(),
        "{text}"
    );
}
