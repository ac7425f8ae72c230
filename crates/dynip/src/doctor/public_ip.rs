//! The line's public addresses, asked now from the IP-echo endpoints of `[ddns]` with the
//! watcher's own look-up (`crate::ip`): IPv4 through a client bound to 0.0.0.0 and IPv6
//! through one bound to `::`, at the same time. Each request waits at most
//! `[doctor] timeout`. A line without IPv6 is normal for an office: the IPv6 endpoints
//! cannot be reached, and the result says that this is fine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use super::{Check, Message, Status};

/// What the doctor knows of the line's IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum V6 {
    /// No IPv6 echo endpoint is configured.
    NotChecked,
    /// No endpoint could be reached over IPv6, or none gave a public address.
    Absent,
    Found(Ipv6Addr),
}

/// The public addresses found.
pub(super) struct Found {
    pub v4: Option<Ipv4Addr>,
    pub v6: V6,
}

/// The `public_ip` and `public_ip6` checks, and the addresses.
pub(super) async fn find(config: &config::Config) -> (Vec<Check>, Found) {
    let timeout = config.doctor.timeout;
    let ((v4_check, v4), (v6_check, v6)) = tokio::join!(
        ipv4(&config.ddns.ipv4_endpoints, timeout),
        ipv6(&config.ddns.ipv6_endpoints, timeout)
    );
    (vec![v4_check, v6_check], Found { v4, v6 })
}

/// One family's address (`v6` or not) from `endpoints` in turn: the check when one was found
/// or there are no endpoints to ask, else why every endpoint failed.
async fn family(
    endpoints: &[String],
    v6: bool,
    timeout: Duration,
) -> Result<(Check, Option<IpAddr>), String> {
    let (id, local) = if v6 {
        ("public_ip6", IpAddr::V6(Ipv6Addr::UNSPECIFIED))
    } else {
        ("public_ip", IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    };
    let client = reqwest::Client::builder()
        .local_address(local)
        .timeout(timeout)
        .no_proxy()
        .user_agent(crate::USER_AGENT)
        .build()
        .map_err(|e| crate::http_error(&e))?;
    Ok(match crate::ip::lookup(&client, endpoints, v6).await? {
        Some(ip) => {
            let key = if v6 { "public_ip6.ok" } else { "public_ip.ok" };
            let message = Message::new(key, &[("ip", &ip.to_string())]);
            (
                Check::new(id, Status::Ok, message).detail("ip", ip),
                Some(ip),
            )
        }
        None => {
            let key = if v6 {
                "public_ip6.no_endpoints"
            } else {
                "public_ip.no_endpoints"
            };
            (
                Check::new(id, Status::Skipped, Message::new(key, &[])),
                None,
            )
        }
    })
}

async fn ipv4(endpoints: &[String], timeout: Duration) -> (Check, Option<Ipv4Addr>) {
    match family(endpoints, false, timeout).await {
        Ok((check, Some(IpAddr::V4(ip)))) => (check, Some(ip)),
        Ok((check, _)) => (check, None),
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

async fn ipv6(endpoints: &[String], timeout: Duration) -> (Check, V6) {
    match family(endpoints, true, timeout).await {
        Ok((check, Some(IpAddr::V6(ip)))) => (check, V6::Found(ip)),
        Ok((check, _)) => (check, V6::NotChecked),
        // Mail works over IPv4 alone: no IPv6 is a fact to know, not a fault.
        Err(e) => (
            Check::new(
                "public_ip6",
                Status::Ok,
                Message::new("public_ip6.none", &[]),
            )
            .detail("error", e),
            V6::Absent,
        ),
    }
}
