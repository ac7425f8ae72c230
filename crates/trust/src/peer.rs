//! Connection-time inputs: DNS blocklists and allowlists with weights (RFC 5782; Spamhaus's
//! 127.255.255.x "refused" answers are not listings), forward-confirmed reverse DNS and the
//! HELO name, as score inputs, never hard refusals. The lookups start when the client connects
//! (one spawned task, bounded by the DNS budget) and run while it talks; the end of DATA
//! collects them by the message's deadline and keeps them for the session's next messages.
//!
//! Clients at loopback, private or link-local addresses are not looked up unless
//! `[filter] check_local_clients` (public lists never list them and should not learn them).

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use hickory_resolver::TokioResolver;
use hickory_resolver::proto::rr::RData;
use tokio::task::JoinHandle;

use crate::{Reason, Trust, reverse};

/// No PTR record: most legitimate mail servers have one (RFC 1912 §2.1).
const RDNS_NONE: f32 = 1.5;
/// A PTR name whose addresses do not include the client's.
const FCRDNS_FAIL: f32 = 1.0;
/// HELO that is neither a domain nor an address literal (RFC 5321 §4.1.1.1), or a single label.
const HELO_INVALID: f32 = 1.5;
/// HELO with a bare IP address, not an address literal in brackets (RFC 5321 §4.1.3).
const HELO_BARE_IP: f32 = 1.5;
/// HELO claiming our own host name or address: a forgery, never a real peer.
const HELO_OURS: f32 = 3.0;
/// At most this many PTR names are confirmed (a host with dozens is not worth the lookups).
const MAX_PTR_NAMES: usize = 3;

/// Who we are, for the HELO check.
#[derive(Debug, Clone, Default)]
pub struct Ours {
    /// Our host name (`hostname` in the configuration).
    pub hostname: String,
    /// The addresses we listen on (unspecified ones left out).
    pub addresses: Vec<IpAddr>,
}

/// The lookups started for one client, and what they found once collected.
#[derive(Debug, Default)]
pub struct PeerCheck {
    ip: Option<IpAddr>,
    ours: Ours,
    /// The spawned lookups, until collected.
    pending: Option<JoinHandle<Vec<Reason>>>,
    /// Their findings, once collected (kept for the session's next messages).
    found: Vec<Reason>,
}

impl Drop for PeerCheck {
    fn drop(&mut self) {
        // The client is gone: its lookups are of no more use.
        if let Some(task) = self.pending.take() {
            task.abort();
        }
    }
}

impl Trust {
    /// Starts the lookups for the client at `ip` (nothing for a local address unless
    /// `check_local_clients`). They run at most `dns_budget_ms` from now.
    pub fn check_peer(&self, config: &config::Filter, ip: IpAddr, ours: Ours) -> PeerCheck {
        if !config.check_local_clients && is_local(ip) {
            return PeerCheck::default();
        }
        let zones = zones(&config.blocklists);
        let resolver = self.resolver.clone();
        let budget = Duration::from_millis(config.dns_budget_ms);
        let lookups = async move {
            let (mut reasons, fcrdns) =
                tokio::join!(blocklists(&resolver, ip, &zones), fcrdns(&resolver, ip));
            reasons.extend(fcrdns);
            reasons
        };
        let pending = tokio::spawn(async move {
            tokio::time::timeout(budget, lookups)
                .await
                .unwrap_or_else(|_| {
                    vec![Reason::new(
                        "PEER_DNS_TIMEOUT",
                        0.0,
                        format!("blocklist and reverse DNS lookups for {ip} took over {budget:?}"),
                    )]
                })
        });
        PeerCheck {
            ip: Some(ip),
            ours,
            pending: Some(pending),
            found: Vec::new(),
        }
    }
}

impl PeerCheck {
    /// The findings, with the HELO name the client gave; lookups not finished by `deadline`
    /// are recorded as such, with no score (and collected for a later message of the session
    /// if they finish by then). Called for each message of the session.
    pub async fn reasons(&mut self, helo: Option<&str>, deadline: Instant) -> Vec<Reason> {
        let Some(ip) = self.ip else {
            return Vec::new();
        };
        let mut reasons = Vec::new();
        if let Some(task) = self.pending.as_mut() {
            match tokio::time::timeout_at(deadline.into(), task).await {
                Ok(Ok(found)) => {
                    self.found = found;
                    self.pending = None;
                }
                Ok(Err(e)) => {
                    self.pending = None;
                    tracing::error!(error = %e, "blocklist lookups failed");
                }
                Err(_) => reasons.push(Reason::new(
                    "PEER_DNS_PENDING",
                    0.0,
                    "blocklist and reverse DNS lookups not finished in time",
                )),
            }
        }
        reasons.extend(self.found.iter().cloned());
        if let Some(helo) = helo {
            reasons.extend(helo_reasons(helo, ip, &self.ours));
        }
        reasons
    }
}

/// Whether `ip` is loopback, private (RFC 1918, RFC 4193), link-local, CGNAT (RFC 6598) or
/// unspecified: an address no public list lists.
pub fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
            }
        },
    }
}

/// A `[filter] blocklists` entry: the zone and the weight of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub zone: String,
    pub weight: f32,
}

/// The weight of a zone given without one.
const DEFAULT_WEIGHT: f32 = 3.0;

/// `zone=weight` entries (a bare `zone` weighs [`DEFAULT_WEIGHT`]); an entry whose weight is
/// not a number is left out and logged.
pub fn zones(entries: &[String]) -> Vec<Zone> {
    entries
        .iter()
        .filter_map(|entry| {
            let (zone, weight) = match entry.split_once('=') {
                Some((zone, weight)) => match weight.trim().parse() {
                    Ok(weight) => (zone, weight),
                    Err(_) => {
                        tracing::warn!(%entry, "[filter] blocklists: the weight is not a number; zone not asked");
                        return None;
                    }
                },
                None => (entry.as_str(), DEFAULT_WEIGHT),
            };
            let zone = zone.trim().trim_end_matches('.').to_ascii_lowercase();
            (!zone.is_empty()).then_some(Zone { zone, weight })
        })
        .collect()
}

/// A zone's A records for an address (RFC 5782 §2.3): `Ok(None)` not listed, `Ok(Some(codes))`
/// listed, `Err` no verdict. 127.255.255.0/24 is no listing but the list refusing the query:
/// Spamhaus answers 127.255.255.254 to queries through public resolvers (8.8.8.8,
/// 114.114.114.114...), which many office lines use. Shared with the doctor.
pub fn listing(codes: &[Ipv4Addr]) -> Result<Option<String>, String> {
    let refused = |a: &&Ipv4Addr| a.octets()[..3] == [127, 255, 255];
    let listed = |a: &&Ipv4Addr| a.octets()[0] == 127 && !refused(a);
    let text = |keep: &dyn Fn(&&Ipv4Addr) -> bool| {
        let texts: Vec<String> = codes.iter().filter(keep).map(ToString::to_string).collect();
        texts.join(", ")
    };
    if codes.is_empty() {
        Ok(None)
    } else if codes.iter().any(|a| refused(&a)) {
        Err(format!("the list refused the query ({})", text(&refused)))
    } else if codes.iter().any(|a| listed(&a)) {
        Ok(Some(text(&listed)))
    } else {
        Err(format!("unexpected answer ({})", text(&|_| true)))
    }
}

/// `DNSBL_ZEN_SPAMHAUS_ORG` (or `DNSWL_...` for a zone of negative weight).
fn zone_rule(zone: &Zone) -> String {
    let kind = if zone.weight < 0.0 { "DNSWL" } else { "DNSBL" };
    let name: String = zone
        .zone
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_ascii_uppercase(),
            _ => '_',
        })
        .collect();
    format!("{kind}_{name}")
}

/// Every zone asked at once (RFC 5782 §2.1, §2.4 names); a listing gives its weight, a refusal
/// or a failed lookup a reason of no score.
async fn blocklists(resolver: &TokioResolver, ip: IpAddr, zones: &[Zone]) -> Vec<Reason> {
    let answers = join_all(zones.iter().map(|zone| async move {
        let name = reverse::blocklist_name(ip, &zone.zone);
        (zone, a_records(resolver, &name).await)
    }))
    .await;
    answers
        .into_iter()
        .filter_map(|(zone, answer)| {
            let verdict = answer.and_then(|codes| listing(&codes));
            match verdict {
                Ok(None) => None,
                Ok(Some(codes)) => Some(Reason::new(
                    zone_rule(zone),
                    zone.weight,
                    format!("{ip} is listed in {} ({codes})", zone.zone),
                )),
                Err(why) => Some(Reason::new(
                    "DNSBL_UNKNOWN",
                    0.0,
                    format!("{}: {why}", zone.zone),
                )),
            }
        })
        .collect()
}

/// The A records of `name`; empty for NXDOMAIN or no records.
async fn a_records(resolver: &TokioResolver, name: &str) -> Result<Vec<Ipv4Addr>, String> {
    match resolver.ipv4_lookup(name).await {
        Ok(lookup) => Ok(lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::A(a) => Some(a.0),
                _ => None,
            })
            .collect()),
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
        Err(e) => Err(format!("look-up failed: {e}")),
    }
}

/// Forward-confirmed reverse DNS: a PTR name of `ip` whose A/AAAA records include `ip`.
async fn fcrdns(resolver: &TokioResolver, ip: IpAddr) -> Vec<Reason> {
    let names: Vec<String> = match resolver
        .reverse_lookup(reverse::ptr_name(ip).as_str())
        .await
    {
        Ok(lookup) => lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::PTR(ptr) => Some(ptr.0.to_ascii()),
                _ => None,
            })
            .take(MAX_PTR_NAMES)
            .collect(),
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Vec::new(),
        Err(e) => {
            let detail = format!("reverse DNS of {ip}: {e}");
            return vec![Reason::new("RDNS_UNKNOWN", 0.0, detail)];
        }
    };
    if names.is_empty() {
        let detail = format!("{ip} has no reverse DNS name");
        return vec![Reason::new("RDNS_NONE", RDNS_NONE, detail)];
    }
    let confirmed = join_all(names.iter().map(|name| async move {
        resolver
            .lookup_ip(name.as_str())
            .await
            .is_ok_and(|found| found.iter().any(|a| a == ip))
    }))
    .await;
    if confirmed.contains(&true) {
        return Vec::new();
    }
    let names: Vec<&str> = names.iter().map(|n| n.trim_end_matches('.')).collect();
    let detail = format!("{} does not resolve back to {ip}", names.join(", "));
    vec![Reason::new("FCRDNS_FAIL", FCRDNS_FAIL, detail)]
}

/// The HELO/EHLO name (RFC 5321 §4.1.1.1: a domain or an address literal): invalid,
/// a bare address, or our own name or address claimed by someone else.
fn helo_reasons(helo: &str, client: IpAddr, ours: &Ours) -> Vec<Reason> {
    let claimed_ip = helo
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .map(|literal| literal.strip_prefix("IPv6:").unwrap_or(literal))
        .and_then(|literal| literal.parse::<IpAddr>().ok());
    let ours_claimed = helo
        .trim_end_matches('.')
        .eq_ignore_ascii_case(&ours.hostname)
        || claimed_ip.is_some_and(|a| a != client && ours.addresses.contains(&a));
    let detail = format!("HELO {helo}");
    if ours_claimed {
        vec![Reason::new("HELO_OURS", HELO_OURS, detail)]
    } else if helo.parse::<IpAddr>().is_ok() {
        vec![Reason::new("HELO_BARE_IP", HELO_BARE_IP, detail)]
    } else if claimed_ip.is_none() && !is_fqdn(helo) {
        vec![Reason::new("HELO_INVALID", HELO_INVALID, detail)]
    } else {
        Vec::new()
    }
}

/// A domain of at least two labels of letters, digits and inner hyphens (RFC 5321 §4.1.2
/// `Domain`), with a final dot allowed.
fn is_fqdn(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    let labels: Vec<&str> = name.split('.').collect();
    labels.len() >= 2
        && name.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(texts: &[&str]) -> Vec<Ipv4Addr> {
        texts.iter().map(|t| t.parse().expect("address")).collect()
    }

    #[test]
    fn loopback_codes_list_and_none_is_not_listed() {
        assert_eq!(listing(&[]), Ok(None));
        let listed = listing(&codes(&["127.0.0.2", "127.0.0.11"]));
        assert_eq!(listed, Ok(Some("127.0.0.2, 127.0.0.11".to_string())));
    }

    #[test]
    fn refusals_and_other_answers_give_no_verdict() {
        // Spamhaus: a query through a public resolver.
        let refused = listing(&codes(&["127.255.255.254"]));
        assert_eq!(
            refused,
            Err("the list refused the query (127.255.255.254)".to_string())
        );
        // A wildcard or a hijacking resolver answering with a real address.
        let odd = listing(&codes(&["198.51.100.1"]));
        assert_eq!(odd, Err("unexpected answer (198.51.100.1)".to_string()));
    }

    #[test]
    fn zones_are_read_with_their_weights() {
        let entries = [
            "zen.spamhaus.org=6",
            "list.dnswl.org = -3",
            "bl.test.",
            "x=y",
        ];
        let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        let found = zones(&entries);
        let zone = |zone: &str, weight| Zone {
            zone: zone.into(),
            weight,
        };
        assert_eq!(
            found,
            vec![
                zone("zen.spamhaus.org", 6.0),
                zone("list.dnswl.org", -3.0),
                zone("bl.test", DEFAULT_WEIGHT)
            ]
        );
        assert_eq!(zone_rule(&found[0]), "DNSBL_ZEN_SPAMHAUS_ORG");
        assert_eq!(zone_rule(&found[1]), "DNSWL_LIST_DNSWL_ORG");
    }

    #[test]
    fn helo_names_are_judged() {
        let ours = Ours {
            hostname: "mx.example.com".into(),
            addresses: vec!["192.0.2.25".parse().expect("ip")],
        };
        let client: IpAddr = "198.51.100.7".parse().expect("ip");
        let rules = |helo: &str| -> Vec<String> {
            helo_reasons(helo, client, &ours)
                .into_iter()
                .map(|r| r.rule)
                .collect()
        };
        assert!(rules("mail.sender.example").is_empty());
        assert!(rules("[198.51.100.7]").is_empty());
        assert!(rules("[IPv6:2001:db8::1]").is_empty());
        assert_eq!(rules("198.51.100.7"), ["HELO_BARE_IP"]);
        assert_eq!(rules("localhost"), ["HELO_INVALID"]);
        assert_eq!(rules("bad_name.example"), ["HELO_INVALID"]);
        assert_eq!(rules("MX.example.com"), ["HELO_OURS"]);
        assert_eq!(rules("[192.0.2.25]"), ["HELO_OURS"]);
    }

    #[test]
    fn local_addresses_are_not_looked_up() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.9",
            "100.64.0.1",
            "::1",
            "fd00::1",
        ] {
            assert!(is_local(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["198.51.100.7", "2001:db8::1", "100.128.0.1"] {
            assert!(!is_local(ip.parse().expect("ip")), "{ip}");
        }
    }
}
