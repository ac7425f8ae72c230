//! Whether a local domain's mail comes here: its MX hosts (RFC 5321 §5.1, with the implicit
//! MX), as the queue finds them, looked up once for both families.
//! - `mx`: an MX host's IPv4 address is the public IPv4 address.
//! - `mx6`: the MX hosts' IPv6 addresses (AAAA) are ours, or there are none (mail then comes
//!   over IPv4, which is fine). AAAA records that are not ours turn away senders that use
//!   IPv6: a warning while the IPv4 side works, a problem otherwise. AAAA records on a line
//!   without IPv6 are a warning too.

use std::net::{IpAddr, Ipv4Addr};

use super::dns::list;
use super::lookup::Dns;
use super::public_ip::V6;
use super::{Check, Message, Status, no_ip};

/// The `mx` check of `domain` and, unless IPv6 was not checked, its `mx6` check.
pub(super) async fn checks(dns: &Dns, v4: Option<Ipv4Addr>, v6: V6, domain: &str) -> Vec<Check> {
    if v4.is_none() && v6 == V6::NotChecked {
        return vec![no_ip("mx").detail("domain", domain)];
    }
    let hosts = match dns.hosts(domain).await {
        Ok(hosts) => hosts,
        Err(failure) => {
            let check = match (failure, v4) {
                (super::lookup::Failure::Failed(why), Some(ip)) => {
                    let ip = ip.to_string();
                    let params = [("domain", domain), ("ip", ip.as_str())];
                    Check::new("mx", Status::Problem, Message::new("mx.none", &params))
                        .detail("error", why)
                        .fix(Message::new("fix.mx", &params))
                }
                (failure, _) => failure.check("mx", domain),
            };
            return vec![check.detail("domain", domain)];
        }
    };
    let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
    let names = names.join(", ");
    let addrs: Vec<IpAddr> = hosts.iter().flat_map(|h| h.addrs.iter().copied()).collect();
    let v4_check = match v4 {
        Some(ip) => ipv4(ip, &addrs, domain),
        None => no_ip("mx"),
    };
    let v4_ok = v4_check.status == Status::Ok;
    let mut checks = vec![
        v4_check
            .detail("hosts", &names)
            .detail("addresses", list(&addrs)),
    ];
    let aaaa: Vec<IpAddr> = addrs.iter().copied().filter(IpAddr::is_ipv6).collect();
    if let Some(check) = ipv6(v6, &aaaa, &names, domain, v4_ok) {
        checks.push(
            check
                .detail("hosts", &names)
                .detail("addresses", list(&aaaa)),
        );
    }
    checks
        .into_iter()
        .map(|c| c.detail("domain", domain))
        .collect()
}

fn ipv4(ip: Ipv4Addr, addrs: &[IpAddr], domain: &str) -> Check {
    let ip_text = ip.to_string();
    let params = [("domain", domain), ("ip", ip_text.as_str())];
    if addrs.contains(&IpAddr::V4(ip)) {
        Check::new("mx", Status::Ok, Message::new("mx.ok", &params))
    } else {
        Check::new("mx", Status::Problem, Message::new("mx.elsewhere", &params))
            .fix(Message::new("fix.mx", &params))
    }
}

/// The `mx6` check; none when IPv6 was not checked, or the line has none and neither do the
/// MX hosts.
fn ipv6(v6: V6, aaaa: &[IpAddr], hosts: &str, domain: &str, v4_ok: bool) -> Option<Check> {
    let addresses = list(aaaa);
    let check = match v6 {
        V6::NotChecked => return None,
        V6::Absent if aaaa.is_empty() => return None,
        V6::Absent => {
            let params = [("domain", domain), ("addresses", addresses.as_str())];
            Check::new(
                "mx6",
                Status::Warning,
                Message::new("mx6.no_ipv6_here", &params),
            )
            .fix(Message::new("fix.mx6_remove", &[("hosts", hosts)]))
        }
        V6::Found(ip) => {
            let ip_text = ip.to_string();
            let params = [("domain", domain), ("ip", ip_text.as_str())];
            if aaaa.is_empty() {
                Check::new("mx6", Status::Ok, Message::new("mx6.no_aaaa", &params[..1]))
            } else if aaaa.contains(&IpAddr::V6(ip)) {
                Check::new("mx6", Status::Ok, Message::new("mx6.ok", &params))
            } else {
                let status = if v4_ok {
                    Status::Warning
                } else {
                    Status::Problem
                };
                let found = [params[0], params[1], ("addresses", addresses.as_str())];
                Check::new("mx6", status, Message::new("mx6.elsewhere", &found))
                    .fix(Message::new("fix.mx6", &[("hosts", hosts), params[1]]))
            }
        }
    };
    Some(check)
}
