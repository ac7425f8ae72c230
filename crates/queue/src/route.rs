//! Destinations: the first `[[route]]` whose domain patterns match the recipient's domain,
//! else the domain's MX hosts; and connecting to one, host after host (failover), address
//! after address.

use std::net::{IpAddr, SocketAddr};

use config::{Config, RouteTls};

use crate::client::{ClientError, Connection, Security};
use crate::delivery::Shared;
use crate::mx::DnsFailure;
use crate::transaction::Verdict;

/// Where a recipient's mail goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// The relay hosts of `config.routes[i]`.
    Route(usize),
    /// The MX hosts of this domain (lowercase).
    Mx(String),
}

impl Target {
    pub fn of(config: &Config, recipient: &str) -> Target {
        let domain = recipient
            .rsplit_once('@')
            .map_or(recipient, |(_, d)| d)
            .to_ascii_lowercase();
        match config.routes.iter().position(|r| r.matches(&domain)) {
            Some(i) => Target::Route(i),
            None => Target::Mx(domain),
        }
    }
}

/// Drops internal addresses (and hosts left without one) from `hosts`; returns the dropped.
fn keep_external(hosts: &mut Vec<crate::Host>) -> Vec<IpAddr> {
    let mut refused = Vec::new();
    for host in hosts.iter_mut() {
        host.addrs.retain(|ip| {
            let internal = is_internal(*ip);
            if internal {
                refused.push(*ip);
            }
            !internal
        });
    }
    hosts.retain(|h| !h.addrs.is_empty());
    refused
}

/// Loopback, unspecified, private (RFC 1918), shared (RFC 6598), link-local, unique-local
/// (RFC 4193), site-local, multicast, broadcast and reserved addresses: none is a public
/// mail host.
pub(crate) fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_unspecified()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
        }
    }
}

/// Connects to the first host of `target` that answers. `Err` holds the verdict for every
/// recipient waiting for this destination, and the host that gave it (if any).
pub(crate) async fn connect(
    shared: &Shared,
    target: &Target,
) -> Result<Connection, (Verdict, Option<String>)> {
    let helo = shared.config.hostname.as_str();
    let mut last: Option<(ClientError, String)> = None;
    let mut all_permanent = true;
    match target {
        Target::Route(i) => {
            let Some(route) = shared.config.routes.get(*i) else {
                return Err((Verdict::Deferred("the route is gone".into()), None));
            };
            let auth = route
                .username
                .as_deref()
                .zip(route.password.as_ref().map(|p| p.0.as_str()));
            for relay in &route.relay {
                let addrs = match shared.dns.relay_addresses(&relay.host).await {
                    Ok(addrs) if !addrs.is_empty() => addrs,
                    Ok(_) => {
                        last = Some((
                            ClientError::Io("the host name has no address".into()),
                            relay.to_string(),
                        ));
                        continue;
                    }
                    Err(e) => {
                        last = Some((ClientError::Io(format!("DNS: {e}")), relay.to_string()));
                        continue;
                    }
                };
                for ip in addrs {
                    let security = match (route.tls, shared.route_tls.get(*i).cloned().flatten()) {
                        (RouteTls::Starttls, Some(tls)) => Security::RequireStarttls(tls),
                        (RouteTls::Implicit, Some(tls)) => Security::Implicit(tls),
                        _ => Security::Plain,
                    };
                    let addr = SocketAddr::new(ip, relay.port);
                    match Connection::open(&relay.host, addr, helo, security, auth).await {
                        Ok(conn) => return Ok(conn),
                        Err(e) => {
                            tracing::info!(relay = %relay, %addr, error = %e, "relay host failed");
                            last = Some((e, format!("{} [{ip}]:{}", relay.host, relay.port)));
                        }
                    }
                }
            }
            // A route's failure is a configuration or network problem: never bounce for it.
            all_permanent = false;
        }
        Target::Mx(domain) => {
            let mut hosts = match shared.dns.hosts(domain).await {
                Ok(hosts) => hosts,
                Err(DnsFailure::Permanent(reply)) => return Err((Verdict::Failed(reply), None)),
                Err(DnsFailure::Temporary(reply)) => return Err((Verdict::Deferred(reply), None)),
            };
            if !shared.config.queue.allow_internal_mx {
                let refused = keep_external(&mut hosts);
                if hosts.is_empty() {
                    // Outside DNS must not aim us at the LAN or at ourselves; a `[[route]]`
                    // reaches an internal host on purpose. A permanent error: the MX records
                    // are what they are, and a retry would only try again.
                    tracing::warn!(domain, ?refused, "MX hosts at internal addresses refused");
                    let list: Vec<String> = refused.iter().map(ToString::to_string).collect();
                    return Err((
                        Verdict::Failed(format!(
                            "550 5.4.4 The mail hosts of {domain} are at internal addresses ({}); \
                             delivery there is refused",
                            list.join(", ")
                        )),
                        None,
                    ));
                }
            }
            let port = shared.config.queue.mx_port;
            for host in hosts {
                for ip in &host.addrs {
                    let addr = SocketAddr::new(*ip, port);
                    let security = Security::Opportunistic(&shared.opportunistic);
                    match Connection::open(&host.name, addr, helo, security, None).await {
                        Ok(conn) => return Ok(conn),
                        Err(e) => {
                            tracing::info!(host = %host.name, %addr, error = %e, "MX host failed");
                            all_permanent &= e.is_permanent();
                            last = Some((e, format!("{} [{ip}]:{port}", host.name)));
                        }
                    }
                }
            }
        }
    }
    match last {
        // RFC 5321 §5.1: every MX host refused us for good (5xx): the mail fails.
        Some((e, host)) if all_permanent => Err((Verdict::Failed(e.to_string()), Some(host))),
        Some((e, host)) => Err((Verdict::Deferred(format!("{host}: {e}")), Some(host))),
        None => Err((Verdict::Deferred("no host to connect to".into()), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_told_from_public_ones() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.0.1",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "ff02::1",
        ] {
            assert!(is_internal(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "192.0.2.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_internal(ip.parse().expect("ip")), "{ip}");
        }
    }
}
