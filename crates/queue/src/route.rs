//! Destinations: the first `[[route]]` whose domain patterns match the recipient's domain,
//! else the domain's MX hosts; and connecting to one, host after host (failover), address
//! after address.

use std::net::SocketAddr;

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
            let hosts = match shared.dns.hosts(domain).await {
                Ok(hosts) => hosts,
                Err(DnsFailure::Permanent(reply)) => return Err((Verdict::Failed(reply), None)),
                Err(DnsFailure::Temporary(reply)) => return Err((Verdict::Deferred(reply), None)),
            };
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
