//! Where a domain's mail goes (RFC 5321 §5.1): its MX hosts by preference, else the domain's
//! own A/AAAA records (the implicit MX). A null MX (RFC 7505) and a domain that does not
//! exist fail at once; a DNS server that fails or does not answer defers.

use std::net::IpAddr;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};

/// A lookup that did not give hosts to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsFailure {
    /// The domain takes no mail: the reply for the DSN, e.g. `556 5.1.10 ...`.
    Permanent(String),
    /// Try again later: the reason.
    Temporary(String),
}

/// A host to try, with its addresses (IPv4 first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    pub addrs: Vec<IpAddr>,
}

/// The resolver: the system's, or the `[dns] servers`.
pub struct Dns {
    resolver: TokioResolver,
}

impl Dns {
    pub fn new(config: &config::Dns) -> Result<Dns, String> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = if config.servers.is_empty() {
            match Resolver::builder(provider.clone()) {
                Ok(builder) => builder,
                Err(e) => {
                    // Local delivery must not stop for this: outbound mail waits (deferred)
                    // until `[dns] servers` is set or the system's settings can be read.
                    tracing::error!(error = %e, "cannot read the system's DNS settings; set [dns] servers");
                    Resolver::builder_with_config(
                        ResolverConfig::from_name_servers(Vec::new()),
                        provider,
                    )
                }
            }
        } else {
            let servers = config
                .servers
                .iter()
                .map(|addr| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = addr.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = addr.port();
                    NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                })
                .collect();
            Resolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
        };
        let options = builder.options_mut();
        options.timeout = Duration::from_secs(5);
        options.attempts = 2;
        // Names are absolute: no search domains appended.
        options.ndots = 0;
        let resolver = builder
            .build()
            .map_err(|e| format!("cannot set up DNS: {e}"))?;
        Ok(Dns { resolver })
    }

    /// The resolver itself, for other look-ups (PTR, blocklists) with the same servers.
    pub fn resolver(&self) -> &TokioResolver {
        &self.resolver
    }

    /// The hosts for `domain` in the order to try them, each with its addresses.
    pub async fn hosts(&self, domain: &str) -> Result<Vec<Host>, DnsFailure> {
        // An address literal (`user@[192.0.2.1]`) names the host itself (§4.1.3).
        if let Some(ip) = domain
            .strip_prefix('[')
            .and_then(|d| d.strip_suffix(']'))
            .and_then(|d| d.trim_start_matches("IPv6:").parse::<IpAddr>().ok())
        {
            return Ok(vec![Host {
                name: domain.to_string(),
                addrs: vec![ip],
            }]);
        }
        let fqdn = format!("{}.", domain.trim_end_matches('.'));
        let names = match self.resolver.mx_lookup(fqdn.as_str()).await {
            Ok(lookup) => {
                let mut mx: Vec<(u16, String)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::MX(mx) => Some((mx.preference, mx.exchange.to_ascii())),
                        _ => None,
                    })
                    .collect();
                // RFC 7505 §3: a single MX of "." means the domain takes no mail.
                if mx.iter().any(|(_, name)| name == ".") {
                    return Err(DnsFailure::Permanent(format!(
                        "556 5.1.10 The domain {domain} does not accept mail (null MX)"
                    )));
                }
                if mx.is_empty() {
                    vec![domain.to_string()]
                } else {
                    mx.sort_by_key(|(pref, _)| *pref);
                    mx.into_iter().map(|(_, name)| name).collect()
                }
            }
            Err(e) if e.is_nx_domain() => {
                return Err(DnsFailure::Permanent(format!(
                    "550 5.1.2 The domain {domain} does not exist"
                )));
            }
            // §5.1: no MX records: the domain itself is the host.
            Err(e) if e.is_no_records_found() => vec![domain.to_string()],
            Err(e) => {
                return Err(DnsFailure::Temporary(format!(
                    "451 4.4.3 DNS lookup of {domain} failed: {e}"
                )));
            }
        };
        let mut hosts = Vec::with_capacity(names.len());
        let mut last_error = None;
        for name in names {
            match self.addresses(&name).await {
                Ok(addrs) if !addrs.is_empty() => hosts.push(Host {
                    name: name.trim_end_matches('.').to_string(),
                    addrs,
                }),
                Ok(_) => {}
                Err(e) => last_error = Some(e),
            }
        }
        if hosts.is_empty() {
            return Err(match last_error {
                Some(e) => DnsFailure::Temporary(format!(
                    "451 4.4.3 DNS lookup of the mail hosts of {domain} failed: {e}"
                )),
                None => DnsFailure::Permanent(format!(
                    "550 5.1.2 The domain {domain} has no mail host with an address"
                )),
            });
        }
        Ok(hosts)
    }

    /// A host's addresses, IPv4 first; empty when it has none. `Err` for lookup failures.
    async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        if let Ok(ip) = name.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.lookup_ip(fqdn.as_str()).await {
            Ok(lookup) => {
                let mut addrs: Vec<IpAddr> = lookup.iter().collect();
                addrs.sort_by_key(|ip| ip.is_ipv6());
                addrs.dedup();
                Ok(addrs)
            }
            Err(e) if e.is_nx_domain() || e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// A relay host's addresses (a route's `host:port`); empty when it has none.
    pub async fn relay_addresses(&self, name: &str) -> Result<Vec<IpAddr>, String> {
        self.addresses(name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_resolver_without_servers_builds_and_defers() {
        let resolver = Resolver::builder_with_config(
            ResolverConfig::from_name_servers(Vec::new()),
            TokioRuntimeProvider::default(),
        )
        .build()
        .expect("builds");
        let dns = Dns { resolver };
        assert!(matches!(
            dns.hosts("example.test").await,
            Err(DnsFailure::Temporary(_))
        ));
    }

    #[tokio::test]
    async fn an_address_literal_is_its_own_host() {
        let dns = Dns::new(&config::Dns {
            servers: vec!["127.0.0.1:1".parse().expect("addr")],
        })
        .expect("dns");
        let hosts = dns.hosts("[192.0.2.1]").await.expect("hosts");
        assert_eq!(
            hosts[0].addrs,
            vec!["192.0.2.1".parse::<IpAddr>().expect("ip")]
        );
    }
}
