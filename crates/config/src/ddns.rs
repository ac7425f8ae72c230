//! `[ddns]`: the public IP watcher and the dynamic DNS records it keeps up to date, with
//! validation and the annotated file's entries. A secret is never part of a problem's text:
//! problems name the key only. `ddns/example.rs` writes the section into the annotated file;
//! `ddns/tests.rs` tests it.

use std::time::Duration;

use toml::{Table, Value};

use crate::Secret;
use crate::validate::{
    Problems, domain_problem, duration, items, section, string, strings, unknown_item_keys,
    unknown_keys, wrong_type,
};

mod example;
pub(crate) use example::{ddns_entries, ddns_tables};

/// `[ddns]`: finds this line's public IP address through HTTP IP-echo services and updates
/// dynamic DNS records when it changes. Off by default: nothing is contacted until enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ddns {
    pub enabled: bool,
    /// IP-echo URLs answering the caller's IPv4 address as plain text, tried in turn.
    pub ipv4_endpoints: Vec<String>,
    /// The same for IPv6; empty: IPv6 is not looked up.
    pub ipv6_endpoints: Vec<String>,
    /// How often the address is looked up.
    pub check_interval: Duration,
    /// Records are sent again this long after their last success, changed or not.
    pub refresh_interval: Duration,
    /// The first wait after a temporary failure; doubled each time, up to one hour.
    pub retry_after: Duration,
    /// Longest wait for one HTTP request.
    pub timeout: Duration,
    /// `[[ddns.record]]`.
    pub records: Vec<DdnsRecord>,
}

impl Default for Ddns {
    fn default() -> Self {
        let urls = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Ddns {
            enabled: false,
            ipv4_endpoints: urls(&[
                "https://api.ipify.org",
                "https://ipv4.icanhazip.com",
                "https://4.ipw.cn",
            ]),
            ipv6_endpoints: urls(&[
                "https://api6.ipify.org",
                "https://ipv6.icanhazip.com",
                "https://6.ipw.cn",
            ]),
            check_interval: Duration::from_secs(300),
            refresh_interval: Duration::from_secs(86_400),
            retry_after: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            records: Vec::new(),
        }
    }
}

/// The API a dynamic DNS record is updated through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DdnsProvider {
    /// The dyndns2 protocol (`/nic/update`): No-IP, DynDNS, Dynu, Oray (Peanut Shell).
    Dyndns2,
    /// Cloudflare API v4 with an API token.
    Cloudflare,
    /// DNSPod through the Tencent Cloud API 3.0 (TC3-HMAC-SHA256).
    Dnspod,
    /// Alibaba Cloud DNS (HMAC-SHA1 signed RPC calls).
    Alidns,
}

impl DdnsProvider {
    pub const ALL: [DdnsProvider; 4] = [
        DdnsProvider::Dyndns2,
        DdnsProvider::Cloudflare,
        DdnsProvider::Dnspod,
        DdnsProvider::Alidns,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DdnsProvider::Dyndns2 => "dyndns2",
            DdnsProvider::Cloudflare => "cloudflare",
            DdnsProvider::Dnspod => "dnspod",
            DdnsProvider::Alidns => "alidns",
        }
    }

    /// The API's address when the record names none.
    pub fn default_endpoint(self) -> Option<&'static str> {
        match self {
            DdnsProvider::Dyndns2 => None,
            DdnsProvider::Cloudflare => Some("https://api.cloudflare.com/client/v4"),
            DdnsProvider::Dnspod => Some("https://dnspod.tencentcloudapi.com"),
            DdnsProvider::Alidns => Some("https://alidns.aliyuncs.com"),
        }
    }
}

/// `[[ddns.record]]`: one host name kept pointing at this line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdnsRecord {
    pub provider: DdnsProvider,
    /// The full name, e.g. `mail.example.com`.
    pub hostname: String,
    /// Cloudflare: the zone ID. DNSPod, Alibaba: the domain (`example.com`). Unused by dyndns2.
    pub zone: Option<String>,
    /// The API's base URL; default: the provider's public one (dyndns2 has none).
    pub endpoint: Option<String>,
    /// dyndns2: the user name; DNSPod: the SecretId; Alibaba: the AccessKey ID.
    pub username: Option<String>,
    /// dyndns2: the password; Cloudflare: the API token; DNSPod: the SecretKey; Alibaba: the
    /// AccessKey secret.
    pub password: Option<Secret>,
    /// Update the A record (IPv4).
    pub ipv4: bool,
    /// Update the AAAA record (IPv6).
    pub ipv6: bool,
}

/// The keys of one `[[ddns.record]]`.
const RECORD_KEYS: &[&str] = &[
    "provider", "hostname", "zone", "endpoint", "username", "password", "ipv4", "ipv6",
];

pub(crate) fn ddns(root: &mut Table, p: &mut Problems) -> Ddns {
    let mut table = section(root, "ddns", p);
    let mut ddns = Ddns::default();
    if let Some(value) = table.remove("enabled") {
        ddns.enabled = boolean(value, "ddns.enabled", p).unwrap_or(false);
    }
    for (name, list) in [
        ("ipv4_endpoints", &mut ddns.ipv4_endpoints),
        ("ipv6_endpoints", &mut ddns.ipv6_endpoints),
    ] {
        let key = format!("ddns.{name}");
        if let Some(value) = table.remove(name) {
            *list = strings(value, &key, p)
                .into_iter()
                .filter(|(item_key, url)| http_url(url, item_key, p))
                .map(|(_, url)| url)
                .collect();
        }
    }
    for (name, slot) in [
        ("check_interval", &mut ddns.check_interval),
        ("refresh_interval", &mut ddns.refresh_interval),
        ("retry_after", &mut ddns.retry_after),
        ("timeout", &mut ddns.timeout),
    ] {
        let key = format!("ddns.{name}");
        if let Some(d) = table
            .remove(name)
            .and_then(|v| string(v, &key, p))
            .and_then(|text| duration(&key, &text, p))
        {
            *slot = d;
        }
    }
    ddns.records = records(table.remove("record"), p);
    unknown_keys("ddns", table, p);
    if ddns.enabled && ddns.ipv4_endpoints.is_empty() && ddns.ipv6_endpoints.is_empty() {
        p.push(
            "ddns.ipv4_endpoints",
            "ddns is enabled but no IP-echo endpoint is listed",
        );
    }
    ddns
}

fn boolean(value: Value, key: &str, p: &mut Problems) -> Option<bool> {
    match value {
        Value::Boolean(b) => Some(b),
        other => {
            wrong_type(key, "true or false", &other, p);
            None
        }
    }
}

/// Whether `url` is an http(s) URL with a host; pushes a problem if not.
fn http_url(url: &str, key: &str, p: &mut Problems) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(' '));
    if !ok {
        p.push(
            key,
            format!("`{url}` is not an http:// or https:// URL with a host"),
        );
    }
    ok
}

fn records(value: Option<Value>, p: &mut Problems) -> Vec<DdnsRecord> {
    items(value, "ddns.record", p, record)
}

fn record(mut table: Table, at: &str, p: &mut Problems) -> Option<DdnsRecord> {
    let before = p.len();
    let key = |name: &str| format!("{at}.{name}");
    let mut text = |name: &str, p: &mut Problems| {
        table
            .remove(name)
            .and_then(|v| string(v, &key(name), p))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let provider = match text("provider", p) {
        None => {
            p.push(
                &key("provider"),
                "missing: one of \"dyndns2\", \"cloudflare\", \"dnspod\", \"alidns\"",
            );
            None
        }
        Some(name) => {
            let found = DdnsProvider::ALL.into_iter().find(|k| k.as_str() == name);
            if found.is_none() {
                p.push(
                    &key("provider"),
                    format!(
                        "`{name}` is not one of \"dyndns2\", \"cloudflare\", \"dnspod\", \"alidns\""
                    ),
                );
            }
            found
        }
    };
    let hostname = text("hostname", p).map(|h| h.to_ascii_lowercase());
    match &hostname {
        None => p.push(
            &key("hostname"),
            "missing: the name to update, e.g. mail.example.com",
        ),
        Some(name) => {
            if let Some(why) = domain_problem(name) {
                p.push(&key("hostname"), why);
            }
        }
    }
    let zone = text("zone", p);
    let endpoint = text("endpoint", p);
    if let Some(url) = &endpoint {
        http_url(url, &key("endpoint"), p);
    }
    let username = text("username", p);
    // Never echo the value: problems name the key only.
    let password = text("password", p).map(Secret);
    let mut flag = |name: &str, default: bool, p: &mut Problems| {
        table
            .remove(name)
            .and_then(|v| boolean(v, &key(name), p))
            .unwrap_or(default)
    };
    let ipv4 = flag("ipv4", true, p);
    let ipv6 = flag("ipv6", false, p);
    if !ipv4 && !ipv6 {
        p.push(
            &key("ipv4"),
            "ipv4 and ipv6 are both false: nothing to update",
        );
    }
    if let Some(provider) = provider {
        needs(provider, &zone, &endpoint, &username, &password, at, p);
    }
    unknown_item_keys(at, table, RECORD_KEYS, p);
    (p.len() == before).then_some(DdnsRecord {
        provider: provider?,
        hostname: hostname?,
        zone,
        endpoint,
        username,
        password,
        ipv4,
        ipv6,
    })
}

/// The keys each provider requires.
fn needs(
    provider: DdnsProvider,
    zone: &Option<String>,
    endpoint: &Option<String>,
    username: &Option<String>,
    password: &Option<Secret>,
    at: &str,
    p: &mut Problems,
) {
    let missing = |name: &str, why: &str, p: &mut Problems| {
        p.push(&format!("{at}.{name}"), format!("missing: {why}"));
    };
    match provider {
        DdnsProvider::Dyndns2 => {
            if endpoint.is_none() {
                missing(
                    "endpoint",
                    "the provider's update server, e.g. \"https://dynupdate.no-ip.com\", \
                     \"https://api.dynu.com\" or \"https://ddns.oray.com\"",
                    p,
                );
            }
            if username.is_none() {
                missing("username", "the dynamic DNS account's user name", p);
            }
            if password.is_none() {
                missing("password", "the dynamic DNS account's password", p);
            }
        }
        DdnsProvider::Cloudflare => {
            if zone.is_none() {
                missing(
                    "zone",
                    "the zone ID (the domain's Overview page shows it)",
                    p,
                );
            }
            if password.is_none() {
                missing("password", "an API token with Zone.DNS edit permission", p);
            }
        }
        DdnsProvider::Dnspod | DdnsProvider::Alidns => {
            let (id, secret) = if provider == DdnsProvider::Dnspod {
                ("the API SecretId", "the API SecretKey")
            } else {
                ("the AccessKey ID", "the AccessKey secret")
            };
            if zone.is_none() {
                missing(
                    "zone",
                    "the domain the record is in, e.g. \"example.com\"",
                    p,
                );
            }
            if username.is_none() {
                missing("username", id, p);
            }
            if password.is_none() {
                missing("password", secret, p);
            }
        }
    }
}

#[cfg(test)]
mod tests;
