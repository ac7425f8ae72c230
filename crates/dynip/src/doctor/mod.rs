//! The connectivity doctor: can this office line send and receive mail? Each
//! check returns a [`Check`]: an id, a [`Status`], detail values, and a plain-language
//! summary and fix as message keys with parameters, which [`text`] renders in English or
//! Simplified Chinese.
//!
//! Every DNS look-up goes through hickory with the configured `[dns] servers` (the queue's
//! resolver); nothing but the configured hosts, endpoints and zones is contacted. Every
//! check is bounded in time, and independent checks run at once: port 25, the smart hosts,
//! the DNS probe and the public addresses; then every check of the public addresses in the
//! DNS. A DNS server that does not answer costs one probe time-out, not one per look-up.
//!
//! - `lookup.rs`: the bounded look-ups and the shared "does the DNS server answer" probe.
//! - `public_ip.rs`: the public IPv4 and IPv6 addresses, from the `[ddns]` echo endpoints.
//! - `port25.rs`: outbound port 25 (ISPs often block it).
//! - `dns.rs`: PTR (forward-confirmed, IPv4 and IPv6), the hostname's A record.
//! - `mx.rs`: our domains' MX hosts point at us, over IPv4 and IPv6.
//! - `blocklist.rs`: DNS blocklists (RFC 5782), IPv4 and IPv6.
//! - `reverse.rs`: reverse names (`in-addr.arpa`, `ip6.arpa`, blocklist zones).
//! - `smarthost.rs`: each `[[route]]` relay: reachable, TLS, AUTH.
//! - `text/`: the messages, English and Simplified Chinese.

mod blocklist;
mod dns;
mod lookup;
mod mx;
mod port25;
mod public_ip;
use trust::reverse;
mod smarthost;
pub mod text;

use std::collections::BTreeMap;
use std::net::IpAddr;

use futures_util::future::{OptionFuture, join_all};
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
    /// `dns`, `port25`, `public_ip`, `public_ip6`, `ptr`, `ptr6`, `hostname`, `mx`, `mx6`,
    /// `blocklist`, `blocklist6`, `smart_host`.
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
    let (setup, dns) = match lookup::Dns::new(&config.dns) {
        Ok(dns) => (None, Some(dns)),
        Err(e) => {
            let message = Message::new("dns.setup", &[("error", &e)]);
            let check = Check::new("dns", Status::Problem, message)
                .fix(Message::new("fix.dns_servers", &[]));
            (Some(check), None)
        }
    };
    let dns = dns.as_ref();
    let probe = async {
        match dns {
            Some(dns) => Some(dns.check().await),
            None => setup,
        }
    };
    let addresses = async {
        let (ip_checks, found) = public_ip::find(config).await;
        let records = match dns {
            Some(dns) => records(config, dns, domains, &found).await,
            None => Vec::new(),
        };
        (ip_checks, records)
    };
    let (probe, port25, (ip_checks, records), smart_hosts) = tokio::join!(
        probe,
        port25::check(config, dns),
        addresses,
        smarthost::check(config, dns)
    );
    probe
        .into_iter()
        .chain([port25])
        .chain(ip_checks)
        .chain(records)
        .chain(smart_hosts)
        .map(Check::rendered)
        .collect()
}

/// The public addresses in the DNS: PTR, hostname, MX and blocklists, all at once when the
/// DNS server answered the probe; each skipped when it did not.
async fn records(
    config: &config::Config,
    dns: &lookup::Dns,
    domains: &[String],
    found: &public_ip::Found,
) -> Vec<Check> {
    let hostname = config.hostname.as_str();
    let zones = config.doctor.blocklists.as_slice();
    let v4 = found.v4.map(IpAddr::V4);
    let v6 = match found.v6 {
        public_ip::V6::Found(ip) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    let lists6 = v6.filter(|_| !zones.is_empty());
    if !dns.answering().await {
        let ids = ["ptr"].into_iter().chain(v6.map(|_| "ptr6"));
        let mut checks: Vec<Check> = ids.chain(["hostname"]).map(dns_down).collect();
        checks.extend(domains.iter().map(|d| dns_down("mx").detail("domain", d)));
        checks.push(dns_down("blocklist"));
        checks.extend(lists6.map(|_| dns_down("blocklist6")));
        return checks;
    }
    let ptr = needs_ip(v4, "ptr", async |ip| dns::ptr(dns, ip, hostname).await);
    let ptr6 = OptionFuture::from(v6.map(|ip| dns::ptr(dns, ip, hostname)));
    let host = needs_ip(v4, "hostname", async |ip| {
        dns::hostname(dns, ip, hostname).await
    });
    let mx = domains
        .iter()
        .map(|domain| mx::checks(dns, found.v4, found.v6, domain));
    let list = async {
        if zones.is_empty() {
            let message = Message::new("blocklist.none", &[]);
            return Check::new("blocklist", Status::Skipped, message);
        }
        needs_ip(v4, "blocklist", async |ip| {
            blocklist::check(dns, ip, zones).await
        })
        .await
    };
    let list6 = OptionFuture::from(lists6.map(|ip| blocklist::check(dns, ip, zones)));
    let (ptr, ptr6, host, mx, list, list6) =
        tokio::join!(ptr, ptr6, host, join_all(mx), list, list6);
    let mut checks = vec![ptr];
    checks.extend(ptr6);
    checks.push(host);
    checks.extend(mx.into_iter().flatten());
    checks.push(list);
    checks.extend(list6);
    checks
}

/// `check` of the public address `ip`, or skipped when it was not found.
async fn needs_ip(
    ip: Option<IpAddr>,
    id: &'static str,
    check: impl AsyncFnOnce(IpAddr) -> Check,
) -> Check {
    match ip {
        Some(ip) => check(ip).await,
        None => no_ip(id),
    }
}

/// A check that needs the public address, which was not found.
fn no_ip(id: &'static str) -> Check {
    Check::new(
        id,
        Status::Skipped,
        Message::new("skipped.no_public_ip", &[]),
    )
}

/// A check that needs the DNS, whose server does not answer.
fn dns_down(id: &'static str) -> Check {
    Check::new(id, Status::Skipped, Message::new("skipped.dns_down", &[]))
}
