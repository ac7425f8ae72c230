//! The connectivity doctor (issue #7): can this office line send and receive mail? Each
//! check returns a [`Check`]: an id, a [`Status`], detail values, and a plain-language
//! summary and fix as message keys with parameters, which [`text`] renders in English or
//! Simplified Chinese (the UI has the same keys).
//!
//! Every DNS look-up goes through hickory with the configured `[dns] servers` (the queue's
//! resolver); nothing but the configured hosts, endpoints and zones is contacted.
//!
//! - `port25.rs`: outbound port 25 (ISPs often block it).
//! - `dns.rs`: PTR (forward-confirmed), our domains' MX and the hostname's A record, DNS
//!   blocklists (RFC 5782).
//! - `smarthost.rs`: each `[[route]]` relay: reachable, TLS, AUTH.
//! - `text.rs`: the message table, English and Simplified Chinese.

mod dns;
mod port25;
mod smarthost;
pub mod text;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

pub use text::Lang;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Problem,
    /// Not run: nothing to check, or an earlier check failed.
    Skipped,
}

/// A message key and its parameters, e.g. `port25.blocked` with `{host}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub key: &'static str,
    pub params: BTreeMap<String, String>,
}

impl Message {
    pub fn new(key: &'static str, params: &[(&str, &str)]) -> Message {
        Message {
            key,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The text in `lang`, parameters filled in.
    pub fn render(&self, lang: Lang) -> String {
        text::render(self.key, &self.params, lang)
    }
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `port25`, `public_ip`, `ptr`, `hostname`, `mx`, `blocklist`, `smart_host`.
    pub id: &'static str,
    pub status: Status,
    /// What was found: hosts, addresses, names, errors.
    pub details: BTreeMap<String, String>,
    pub summary: Message,
    /// What to do about it, when something is wrong.
    pub fix: Option<Message>,
    /// `summary` and `fix` rendered, by language (`en`, `zh`).
    pub texts: BTreeMap<&'static str, Texts>,
}

/// A check's summary and fix in one language.
#[derive(Debug, Clone, Serialize)]
pub struct Texts {
    pub summary: String,
    pub fix: Option<String>,
}

impl Check {
    fn new(id: &'static str, status: Status, summary: Message) -> Check {
        Check {
            id,
            status,
            details: BTreeMap::new(),
            summary,
            fix: None,
            texts: BTreeMap::new(),
        }
    }

    fn detail(mut self, key: &str, value: impl ToString) -> Check {
        self.details.insert(key.to_string(), value.to_string());
        self
    }

    fn fix(mut self, fix: Message) -> Check {
        self.fix = Some(fix);
        self
    }

    /// Fills in `texts` from the keys.
    fn rendered(mut self) -> Check {
        for lang in Lang::ALL {
            let texts = Texts {
                summary: self.summary.render(lang),
                fix: self.fix.as_ref().map(|f| f.render(lang)),
            };
            self.texts.insert(lang.code(), texts);
        }
        self
    }
}

/// Runs every check for `config`, with `domains` the local domains; in a fixed order.
pub async fn run(config: &config::Config, domains: &[String]) -> Vec<Check> {
    let timeout = config.doctor.timeout;
    let mut checks = Vec::new();
    let dns = match queue::Dns::new(&config.dns) {
        Ok(dns) => Some(dns),
        Err(e) => {
            checks.push(
                Check::new(
                    "dns",
                    Status::Problem,
                    Message::new("dns.setup", &[("error", &e)]),
                )
                .fix(Message::new("fix.dns_servers", &[])),
            );
            None
        }
    };
    checks.push(port25::check(config, dns.as_ref()).await);
    let (ip_check, ip) = public_ip(config, timeout).await;
    checks.push(ip_check);
    if let Some(dns) = &dns {
        checks.push(dns::ptr(dns, ip, &config.hostname).await);
        checks.push(dns::hostname(dns, ip, &config.hostname).await);
        for domain in domains {
            checks.push(dns::mx(dns, ip, domain).await);
        }
        checks.push(dns::blocklists(dns, ip, &config.doctor.blocklists).await);
    }
    checks.extend(smarthost::check(config, dns.as_ref()).await);
    checks.into_iter().map(Check::rendered).collect()
}

/// The public IPv4 address from the IP-echo endpoints of `[ddns]` (the watcher's own
/// look-up, `crate::ip`), asked now.
async fn public_ip(
    config: &config::Config,
    timeout: std::time::Duration,
) -> (Check, Option<Ipv4Addr>) {
    let endpoints = &config.ddns.ipv4_endpoints;
    if endpoints.is_empty() {
        let check = Check::new(
            "public_ip",
            Status::Skipped,
            Message::new("public_ip.no_endpoints", &[]),
        );
        return (check, None);
    }
    let client = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        .timeout(timeout)
        .no_proxy()
        .user_agent(crate::USER_AGENT)
        .build();
    let found = match client {
        Ok(client) => crate::ip::lookup(&client, endpoints, false).await,
        Err(e) => Err(crate::http_error(&e)),
    };
    match found {
        Ok(Some(IpAddr::V4(ip))) => (
            Check::new(
                "public_ip",
                Status::Ok,
                Message::new("public_ip.ok", &[("ip", &ip.to_string())]),
            )
            .detail("ip", ip),
            Some(ip),
        ),
        Ok(_) => (
            Check::new(
                "public_ip",
                Status::Skipped,
                Message::new("public_ip.no_endpoints", &[]),
            ),
            None,
        ),
        Err(e) => (
            Check::new(
                "public_ip",
                Status::Problem,
                Message::new("public_ip.failed", &[]),
            )
            .detail("error", e)
            .fix(Message::new("fix.public_ip", &[])),
            None,
        ),
    }
}
