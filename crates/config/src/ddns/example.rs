//! The `[ddns]` part of the annotated `postroom.toml`: its keys and the `[[ddns.record]]`
//! tables.

use std::time::Duration;

use toml::Value;

use crate::example::Entry;

/// The `[ddns]` keys of the annotated file, with `config`'s values.
pub(crate) fn ddns_entries(config: &crate::Config) -> Vec<Entry> {
    let ddns = &config.ddns;
    let urls = |list: &[String]| Value::Array(list.iter().cloned().map(Value::String).collect());
    let duration = |d: Duration| Value::String(crate::format_duration(d));
    let entry = |key, doc, value: Value| Entry {
        section: "ddns",
        key,
        doc: std::borrow::Cow::Borrowed(doc),
        example: value.clone(),
        value: Some(value),
    };
    vec![
        entry(
            "enabled",
            "Look up the public address and update the records. Default: false.",
            Value::Boolean(ddns.enabled),
        ),
        entry(
            "ipv4_endpoints",
            "IP-echo URLs that answer the caller's IPv4 address as plain text, tried in\n\
             turn until one answers with a public address.",
            urls(&ddns.ipv4_endpoints),
        ),
        entry(
            "ipv6_endpoints",
            "The same for IPv6; [] to leave IPv6 alone.",
            urls(&ddns.ipv6_endpoints),
        ),
        entry(
            "check_interval",
            "How often the address is looked up. Default: \"5m\".",
            duration(ddns.check_interval),
        ),
        entry(
            "refresh_interval",
            "Records are sent again this long after their last update, even unchanged, so\n\
             providers do not expire them. Default: \"1d\".",
            duration(ddns.refresh_interval),
        ),
        entry(
            "retry_after",
            "The first wait after a temporary failure (a 5xx answer, \"911\", a timeout);\n\
             doubled after each failure, up to one hour. Default: \"1m\".",
            duration(ddns.retry_after),
        ),
        entry(
            "timeout",
            "Longest wait for one HTTP request. Default: \"10s\".",
            duration(ddns.timeout),
        ),
    ]
}

/// The comment above the `[[ddns.record]]` tables (or the commented-out example).
const RECORD_DOC: &str = "Dynamic DNS records. provider: \"dyndns2\" (No-IP, DynDNS, Dynu, Oray/Peanut\n\
     Shell; endpoint required, e.g. \"https://dynupdate.no-ip.com\"), \"cloudflare\" (zone =\n\
     the zone ID, password = an API token), \"dnspod\" (Tencent Cloud API 3.0: zone = the\n\
     domain, username/password = SecretId/SecretKey) or \"alidns\" (Alibaba Cloud DNS:\n\
     zone = the domain, username/password = AccessKey ID/secret). The records must exist\n\
     once (create them in the provider's console). ipv4/ipv6: update A/AAAA (default\n\
     true/false). endpoint: the API's URL, when not the provider's public one.";

/// The `[[ddns.record]]` tables of the annotated file.
pub(crate) fn ddns_tables(config: &crate::Config) -> String {
    let mut out = String::from("\n");
    crate::example::push_comment(&mut out, RECORD_DOC);
    if config.ddns.records.is_empty() {
        out.push_str(
            "# [[ddns.record]]\n# provider = \"dyndns2\"\n# hostname = \"mail.example.com\"\n\
             # endpoint = \"https://dynupdate.no-ip.com\"\n# username = \"office\"\n\
             # password = \"...\"\n",
        );
    }
    for record in &config.ddns.records {
        let line = |key: &str, value: Value| format!("{key} = {value}\n");
        out.push_str("[[ddns.record]]\n");
        out.push_str(&line("provider", record.provider.as_str().into()));
        out.push_str(&line("hostname", record.hostname.as_str().into()));
        let optional = [
            ("zone", record.zone.as_deref()),
            ("endpoint", record.endpoint.as_deref()),
            ("username", record.username.as_deref()),
            ("password", record.password.as_ref().map(|s| s.0.as_str())),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                out.push_str(&line(key, value.into()));
            }
        }
        out.push_str(&line("ipv4", record.ipv4.into()));
        out.push_str(&line("ipv6", record.ipv6.into()));
    }
    out
}
