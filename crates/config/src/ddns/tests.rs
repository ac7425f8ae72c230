//! `[ddns]`: parsing, problems and the annotated file's round trip.

use std::path::Path;
use std::time::Duration;

use crate::{Config, Ddns, DdnsProvider, DdnsRecord, Secret};

use crate::parse_for_test as parse;

#[test]
fn ddns_is_off_by_default() {
    let config = parse("").expect("valid");
    assert!(!config.ddns.enabled);
    assert!(config.ddns.records.is_empty());
}

#[test]
fn a_changed_ddns_section_round_trips_through_the_annotated_file() {
    let record = |provider, zone: Option<&str>| DdnsRecord {
        provider,
        hostname: "mail.example.com".into(),
        zone: zone.map(str::to_string),
        endpoint: Some("http://127.0.0.1:8080/api".into()),
        username: Some("id".into()),
        password: Some(Secret("pa\"ss".into())),
        ipv4: true,
        ipv6: true,
    };
    let config = Config {
        ddns: Ddns {
            enabled: true,
            ipv4_endpoints: vec!["http://127.0.0.1:9/ip".into()],
            ipv6_endpoints: vec![],
            check_interval: Duration::from_secs(2),
            refresh_interval: Duration::from_secs(3600),
            retry_after: Duration::from_secs(1),
            timeout: Duration::from_secs(3),
            records: vec![
                record(DdnsProvider::Dyndns2, None),
                record(
                    DdnsProvider::Cloudflare,
                    Some("023e105f4ecef8ad9ca31a8372d0c353"),
                ),
                record(DdnsProvider::Dnspod, Some("example.com")),
                record(DdnsProvider::Alidns, Some("example.com")),
            ],
        },
        ..Config::with_hostname("x.test")
    };
    let text = config.to_annotated_toml();
    let back = Config::parse(&text, Path::new("e.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, config);
}

#[test]
fn record_problems_name_their_key_and_never_the_secret() {
    let err = parse(
        "[ddns]\nenabled = \"yes\"\nipv4_endpoints = [\"ftp://x\"]\ncheck_interval = \"5\"\n\
         colour = 1\n\
         [[ddns.record]]\nprovider = \"dyndns2\"\nhostname = \"bad name\"\n\
         password = \"s3cret-pw\"\nipv4 = false\n\
         [[ddns.record]]\nprovider = \"route53\"\nhostname = \"a.example.com\"\n\
         [[ddns.record]]\nprovider = \"cloudflare\"\nhostname = \"a.example.com\"\n\
         pasword = \"s3cret-pw\"\n\
         [[ddns.record]]\nprovider = \"alidns\"\nhostname = \"a.example.com\"\n",
    )
    .expect_err("invalid");
    crate::assert_problems_name(
        &err,
        &[
            "ddns.enabled: expected true or false",
            "ddns.ipv4_endpoints[0]: `ftp://x`",
            "ddns.check_interval: `5`",
            "ddns.colour: unknown key",
            "ddns.record[0].hostname: `bad name`",
            "ddns.record[0].endpoint: missing",
            "ddns.record[0].username: missing",
            "ddns.record[0].ipv4: ipv4 and ipv6 are both false",
            "ddns.record[1].provider: `route53`",
            "ddns.record[2].zone: missing",
            "ddns.record[2].password: missing",
            "ddns.record[2].pasword: unknown key `ddns.record[2].pasword`, did you mean `password`?",
            "ddns.record[3].zone: missing",
            "ddns.record[3].username: missing",
        ],
        "s3cret-pw",
    );
}
