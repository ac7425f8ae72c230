//! Checks in the DNS, all through the queue's resolver (`[dns] servers`):
//! - PTR: the public address has a reverse name (RFC 1035 §3.5) that is our `hostname` and
//!   resolves back to the address (forward-confirmed, as receivers check).
//! - the `hostname`'s A record and every local domain's MX hosts (RFC 5321 §5.1, with the
//!   implicit MX) point at the public address.
//! - DNS blocklists (RFC 5782 §2.1): the address's octets reversed under each zone; an A
//!   record in 127.0.0.0/8 means listed, NXDOMAIN means not listed.

use std::net::{IpAddr, Ipv4Addr};

use hickory_resolver::proto::rr::RData;

use super::{Check, Message, Status};

/// A check that needs the public address, which was not found.
fn no_ip(id: &'static str) -> Check {
    Check::new(
        id,
        Status::Skipped,
        Message::new("skipped.no_public_ip", &[]),
    )
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// `in-addr.arpa`-style reversed octets: 81.2.69.160 → "160.69.2.81".
fn reversed(ip: Ipv4Addr) -> String {
    let [a, b, c, d] = ip.octets();
    format!("{d}.{c}.{b}.{a}")
}

pub(super) async fn ptr(dns: &queue::Dns, ip: Option<Ipv4Addr>, hostname: &str) -> Check {
    let Some(ip) = ip else {
        return no_ip("ptr");
    };
    let name = format!("{}.in-addr.arpa.", reversed(ip));
    let names: Vec<String> = match dns.resolver().reverse_lookup(name.as_str()).await {
        Ok(lookup) => lookup
            .answers()
            .iter()
            .filter_map(|r| match &r.data {
                RData::PTR(ptr) => Some(ptr.0.to_ascii().trim_end_matches('.').to_string()),
                _ => None,
            })
            .collect(),
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Vec::new(),
        Err(e) => {
            return Check::new(
                "ptr",
                Status::Warning,
                Message::new("dns.failed", &[("name", &name)]),
            )
            .detail("error", e);
        }
    };
    let ip_text = ip.to_string();
    if names.is_empty() {
        return Check::new(
            "ptr",
            Status::Problem,
            Message::new("ptr.missing", &[("ip", &ip_text)]),
        )
        .fix(Message::new(
            "fix.ptr",
            &[("ip", &ip_text), ("hostname", hostname)],
        ));
    }
    let found = names.join(", ");
    let Some(ours) = names.iter().find(|n| same_name(n, hostname)) else {
        return Check::new(
            "ptr",
            Status::Warning,
            Message::new(
                "ptr.mismatch",
                &[("ip", &ip_text), ("ptr", &found), ("hostname", hostname)],
            ),
        )
        .detail("ptr", &found)
        .fix(Message::new(
            "fix.ptr",
            &[("ip", &ip_text), ("hostname", hostname)],
        ));
    };
    let back = addresses(dns, ours).await;
    let check = if back.contains(&IpAddr::V4(ip)) {
        Check::new(
            "ptr",
            Status::Ok,
            Message::new("ptr.ok", &[("ip", &ip_text), ("hostname", hostname)]),
        )
    } else {
        Check::new(
            "ptr",
            Status::Problem,
            Message::new(
                "ptr.not_confirmed",
                &[("ip", &ip_text), ("hostname", hostname)],
            ),
        )
        .fix(Message::new(
            "fix.a_record",
            &[("name", hostname), ("ip", &ip_text)],
        ))
    };
    check.detail("ptr", &found).detail("addresses", list(&back))
}

/// A name's addresses; empty when it has none or the look-up fails.
async fn addresses(dns: &queue::Dns, name: &str) -> Vec<IpAddr> {
    dns.relay_addresses(name).await.unwrap_or_default()
}

fn list(addrs: &[IpAddr]) -> String {
    addrs
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn hostname(dns: &queue::Dns, ip: Option<Ipv4Addr>, hostname: &str) -> Check {
    let Some(ip) = ip else {
        return no_ip("hostname");
    };
    let ip_text = ip.to_string();
    let found = addresses(dns, hostname).await;
    let params = [("name", hostname), ("ip", ip_text.as_str())];
    let check = if found.contains(&IpAddr::V4(ip)) {
        Check::new("hostname", Status::Ok, Message::new("hostname.ok", &params))
    } else {
        Check::new(
            "hostname",
            Status::Problem,
            Message::new("hostname.elsewhere", &params),
        )
        .fix(Message::new("fix.a_record", &params))
    };
    check
        .detail("name", hostname)
        .detail("addresses", list(&found))
}

pub(super) async fn mx(dns: &queue::Dns, ip: Option<Ipv4Addr>, domain: &str) -> Check {
    let Some(ip) = ip else {
        return no_ip("mx").detail("domain", domain);
    };
    let ip_text = ip.to_string();
    let params = [("domain", domain), ("ip", ip_text.as_str())];
    let hosts = match dns.hosts(domain).await {
        Ok(hosts) => hosts,
        Err(e) => {
            let why = match e {
                queue::DnsFailure::Permanent(t) | queue::DnsFailure::Temporary(t) => t,
            };
            return Check::new("mx", Status::Problem, Message::new("mx.none", &params))
                .detail("domain", domain)
                .detail("error", why)
                .fix(Message::new("fix.mx", &params));
        }
    };
    let names = hosts
        .iter()
        .map(|h| h.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let ours = hosts.iter().any(|h| h.addrs.contains(&IpAddr::V4(ip)));
    let check = if ours {
        Check::new("mx", Status::Ok, Message::new("mx.ok", &params))
    } else {
        Check::new("mx", Status::Problem, Message::new("mx.elsewhere", &params))
            .fix(Message::new("fix.mx", &params))
    };
    let addrs: Vec<IpAddr> = hosts.iter().flat_map(|h| h.addrs.iter().copied()).collect();
    check
        .detail("domain", domain)
        .detail("hosts", names)
        .detail("addresses", list(&addrs))
}

pub(super) async fn blocklists(dns: &queue::Dns, ip: Option<Ipv4Addr>, zones: &[String]) -> Check {
    if zones.is_empty() {
        return Check::new(
            "blocklist",
            Status::Skipped,
            Message::new("blocklist.none", &[]),
        );
    }
    let Some(ip) = ip else {
        return no_ip("blocklist");
    };
    let ip_text = ip.to_string();
    let (mut listed, mut unknown) = (Vec::new(), Vec::new());
    let mut details = Vec::new();
    for zone in zones {
        let name = format!("{}.{}.", reversed(ip), zone.trim_end_matches('.'));
        match dns.resolver().ipv4_lookup(name.as_str()).await {
            Ok(lookup) => {
                let codes: Vec<String> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::A(a) if a.0.octets()[0] == 127 => Some(a.0.to_string()),
                        _ => None,
                    })
                    .collect();
                if codes.is_empty() {
                    unknown.push(zone.clone());
                    details.push((zone.clone(), "unexpected answer".to_string()));
                } else {
                    listed.push(zone.clone());
                    details.push((zone.clone(), format!("listed ({})", codes.join(", "))));
                }
            }
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => {
                details.push((zone.clone(), "not listed".to_string()));
            }
            Err(e) => {
                unknown.push(zone.clone());
                details.push((zone.clone(), format!("look-up failed: {e}")));
            }
        }
    }
    let mut check = if !listed.is_empty() {
        let zones = listed.join(", ");
        Check::new(
            "blocklist",
            Status::Problem,
            Message::new("blocklist.listed", &[("ip", &ip_text), ("zones", &zones)]),
        )
        .fix(Message::new("fix.blocklist", &[("zones", &zones)]))
    } else if !unknown.is_empty() {
        Check::new(
            "blocklist",
            Status::Warning,
            Message::new("blocklist.unknown", &[("zones", &unknown.join(", "))]),
        )
    } else {
        Check::new(
            "blocklist",
            Status::Ok,
            Message::new("blocklist.ok", &[("ip", &ip_text)]),
        )
    };
    for (zone, result) in details {
        check = check.detail(&zone, result);
    }
    check
}
