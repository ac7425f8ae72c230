//! Settings of outbound mail: `[dns]`, `[[route]]`, `[queue]`, `[relay]`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Where MX and address lookups go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dns {
    /// DNS servers as "ip:port"; empty: the system's resolvers (/etc/resolv.conf).
    pub servers: Vec<SocketAddr>,
}

/// How a route talks to its relay hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RouteTls {
    /// Plain connection, then STARTTLS, which must succeed (RFC 3207).
    #[default]
    Starttls,
    /// TLS from the first byte (RFC 8314), usually port 465.
    Implicit,
    /// No TLS at all: only for a relay on a trusted network.
    None,
}

impl RouteTls {
    pub fn as_str(self) -> &'static str {
        match self {
            RouteTls::Starttls => "starttls",
            RouteTls::Implicit => "implicit",
            RouteTls::None => "none",
        }
    }
}

/// A password that never shows in `Debug` output (logs, error reports).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"********\"")
    }
}

/// A relay host of a route: a name (or IP) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayHost {
    pub host: String,
    pub port: u16,
}

impl fmt::Display for RelayHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// `[[route]]`: mail for matching recipient domains goes through relay hosts (a smart host,
/// or an internal server keeping a sub-domain) instead of the domain's MX hosts. The first
/// route that matches wins; no match means direct MX delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Recipient domain patterns: `*` (everything), `example.com` (exactly), `*.example.org`
    /// (any sub-domain, not example.org itself). Lowercase.
    pub domains: Vec<String>,
    /// Relay hosts, tried in order until one answers.
    pub relay: Vec<RelayHost>,
    pub tls: RouteTls,
    /// AUTH (PLAIN or LOGIN, whichever the relay offers) with these credentials, if set.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// PEM file of the certificate authority (or the self-signed certificate) that the relay's
    /// certificate must chain to; absent: the public web PKI roots.
    pub ca: Option<PathBuf>,
}

impl Route {
    /// Whether this route takes mail for `domain` (lowercase).
    pub fn matches(&self, domain: &str) -> bool {
        self.domains.iter().any(|pattern| {
            if pattern == "*" {
                true
            } else if let Some(suffix) = pattern.strip_prefix("*.") {
                domain.len() > suffix.len() + 1
                    && domain.ends_with(suffix)
                    && domain.as_bytes()[domain.len() - suffix.len() - 1] == b'.'
            } else {
                pattern == domain
            }
        })
    }
}

/// `[queue]`: the outbound queue's retry schedule and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// Waits between attempts; the last one repeats until `give_up_after`.
    pub retry: Vec<Duration>,
    /// A message still undelivered this long after it was queued fails (with a DSN).
    pub give_up_after: Duration,
    /// The sender gets one delay notice when a message is still undelivered after this long.
    pub delay_notice_after: Duration,
    /// Simultaneous connections to one destination (a domain's MX hosts, or a route).
    pub max_connections_per_destination: usize,
    /// Simultaneous outbound connections in all.
    pub max_connections: usize,
    /// Delivered and failed entries stay visible in `queue list --all` this long.
    pub keep_finished: Duration,
    /// The port of MX hosts. Always 25 on the Internet; tests point it elsewhere.
    pub mx_port: u16,
    /// Whether MX hosts (and address literals) at loopback, private, link-local or other
    /// internal addresses are used. Off: a domain whose MX points inside is refused, so
    /// outside DNS cannot aim our queue at the LAN; a `[[route]]` reaches internal hosts on
    /// purpose. Tests with a loopback MX turn it on.
    pub allow_internal_mx: bool,
}

impl Default for Queue {
    fn default() -> Self {
        let min = |m: u64| Duration::from_secs(m * 60);
        Queue {
            retry: vec![min(5), min(10), min(30), min(60), min(120), min(240)],
            give_up_after: Duration::from_secs(5 * 86_400),
            delay_notice_after: min(240),
            max_connections_per_destination: 10,
            max_connections: 100,
            keep_finished: Duration::from_secs(86_400),
            mx_port: 25,
            allow_internal_mx: false,
        }
    }
}

/// An IP network in CIDR form, e.g. `192.168.1.0/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Network {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// `[relay]`: who may send mail to outside addresses without logging in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Relay {
    /// Client networks trusted to relay on port 25 without AUTH (e.g. an office LAN, or a
    /// benchmark). Empty by default: relaying needs AUTH, never an open relay.
    pub networks: Vec<Network>,
    /// Who may ask us with ETRN (RFC 1985) to flush the mail we hold: client domains (the
    /// ETRN argument must be one of them or a sub-domain) and networks (the client's
    /// address). Empty by default: only clients in `networks`, for any domain.
    pub etrn: Vec<EtrnClient>,
}

/// One entry of `[relay] etrn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtrnClient {
    /// A domain (lowercase) whose mail anyone may ask for.
    Domain(String),
    /// A network whose clients may ask for any domain.
    Network(Network),
}

impl Relay {
    /// RFC 1985 §5: whether a client at `ip` may ask to flush `domain` (lowercase).
    pub fn etrn_allowed(&self, ip: IpAddr, domain: &str) -> bool {
        if self.etrn.is_empty() {
            return self.networks.iter().any(|n| n.contains(ip));
        }
        self.etrn.iter().any(|entry| match entry {
            EtrnClient::Network(n) => n.contains(ip),
            EtrnClient::Domain(d) => {
                domain == d
                    || (domain.len() > d.len()
                        && domain.ends_with(d.as_str())
                        && domain.as_bytes()[domain.len() - d.len() - 1] == b'.')
            }
        })
    }
}

/// "5m", "1h", "5d": the largest unit that divides the duration.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, secs) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if s > 0 && s.is_multiple_of(secs) {
            return format!("{}{unit}", s / secs);
        }
    }
    format!("{s}s")
}

/// Parses "30s", "5m", "2h", "5d" (a whole number and a unit).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(secs).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_patterns_match_exactly_or_sub_domains() {
        let route = |p: &str| Route {
            domains: vec![p.to_string()],
            relay: vec![],
            tls: RouteTls::None,
            username: None,
            password: None,
            ca: None,
        };
        assert!(route("*").matches("anything.test"));
        assert!(route("corp.test").matches("corp.test"));
        assert!(!route("corp.test").matches("x.corp.test"));
        assert!(route("*.corp.test").matches("x.corp.test"));
        assert!(!route("*.corp.test").matches("corp.test"));
        assert!(!route("*.corp.test").matches("xcorp.test"));
    }

    #[test]
    fn networks_contain_their_addresses() {
        let net = |a: &str, p| Network {
            addr: a.parse().expect("ip"),
            prefix: p,
        };
        assert!(net("127.0.0.0", 8).contains("127.1.2.3".parse().expect("ip")));
        assert!(!net("127.0.0.0", 8).contains("10.0.0.1".parse().expect("ip")));
        assert!(net("0.0.0.0", 0).contains("10.0.0.1".parse().expect("ip")));
        assert!(net("127.0.0.0", 8).contains("::ffff:127.0.0.1".parse().expect("ip")));
        assert!(net("fd00::", 8).contains("fd12::1".parse().expect("ip")));
    }

    #[test]
    fn durations_round_trip() {
        for text in ["1s", "90s", "5m", "4h", "5d"] {
            let d = parse_duration(text).expect(text);
            assert_eq!(format_duration(d), text);
        }
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5w"), None);
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let text = format!("{:?}", Secret("hunter2".into()));
        assert!(!text.contains("hunter2"));
    }
}
