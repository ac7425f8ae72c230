//! Settings of outbound mail: `[dns]`, `[[route]]`, `[queue]`, `[relay]`.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::schema::settings;

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

settings! {
    /// `[queue]`: the outbound queue's retry schedule and limits.
    pub struct Queue in "queue" {
        /// Waits between delivery attempts ("30s", "5m", "4h", "1d"); the last one repeats
        /// until give_up_after.
        #[zh("两次投递尝试之间的等待（\"30s\"、\"5m\"、\"4h\"、\"1d\"）；最后一个一直重复，直到 give_up_after。")]
        #[label("Retry after", "重试间隔")]
        #[setting()]
        retry: Vec<Duration> = [5, 10, 30, 60, 120, 240]
            .map(|m| Duration::from_secs(m * 60))
            .to_vec(),
        /// Mail still undelivered this long after it was queued is returned to its sender
        /// (a failure notice, RFC 3464).
        #[zh("进入队列这么久仍未投递的邮件退回给发件人（失败通知，RFC 3464）。")]
        #[label("Give up after", "放弃时间")]
        #[setting()]
        give_up_after: Duration = Duration::from_secs(5 * 86_400),
        /// The sender gets one delay notice when mail is still undelivered after this long.
        #[zh("邮件这么久仍未投递时，发件人会收到一次延迟通知。")]
        #[label("Tell the sender after", "延迟通知时间")]
        #[setting()]
        delay_notice_after: Duration = Duration::from_secs(4 * 3600),
        /// Simultaneous connections to one destination (a domain's MX hosts, or a route's
        /// relay).
        #[zh("到同一目的地（某域的 MX 主机或某路由的中继）的同时连接数。")]
        #[label("Connections per destination", "每个目的地的连接数")]
        #[setting(min: Some(1), max: Some(1000),)]
        max_connections_per_destination: usize = 10,
        /// Simultaneous outbound connections in all.
        #[zh("总的同时外发连接数。")]
        #[label("Connections in total", "总连接数")]
        #[setting(min: Some(1), max: Some(10_000),)]
        max_connections: usize = 100,
        /// Delivered and failed mail stays listed (`postroom queue list --all`) this long.
        #[zh("已投递和已失败的邮件保留在列表中（`postroom queue list --all`）的时长。")]
        #[label("Keep finished entries for", "已完成条目保留时长")]
        #[setting()]
        keep_finished: Duration = Duration::from_secs(86_400),
        /// The port of MX hosts. Always 25 on the Internet: change it only for tests.
        #[zh("MX 主机的端口。互联网上总是 25：仅在测试时修改。")]
        #[label("Port of outside mail servers", "外部邮件服务器端口")]
        #[setting(min: Some(1),)]
        mx_port: u16 = 25,
        /// Deliver to MX hosts at loopback, private (RFC 1918), link-local or unique-local
        /// addresses. Off, such a domain's mail is refused, so outside DNS cannot aim the
        /// queue at your LAN; reach internal servers with a [[route]] instead.
        #[zh("允许投递到环回、私有（RFC 1918）、链路本地或唯一本地地址的 MX 主机。关闭时拒绝此类域的邮件，外部 DNS 便无法把队列引向局域网；内部服务器请用 [[route]]。")]
        #[label("Deliver to internal MX addresses", "允许投递到内部 MX 地址")]
        #[setting()]
        allow_internal_mx: bool = false,
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
