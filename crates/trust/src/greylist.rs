//! Greylisting (RFC 6647): the first message of an unknown (client network, sender, recipient)
//! triplet gets a temporary refusal; a retry after `[filter] greylist_delay_secs` passes, and
//! the client's network is then known and never greylisted again while it keeps sending
//! (kept `greylist_keep_days` after it was last seen). Off by default; sessions that
//! authenticated and `[relay] networks` never get here, and local clients only with
//! `check_local_clients`. The rows live in the database (`store::greylist`), so a restart
//! forgets no triplet.

use std::net::IpAddr;

use store::{Greylist, Triplet};

use crate::Trust;

/// The greylisting answer for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greylisting {
    Pass,
    /// `451 4.7.1`: try again in this many seconds.
    Defer {
        retry_in_secs: u64,
    },
}

impl Trust {
    pub async fn greylist(
        &self,
        config: &config::Filter,
        ip: IpAddr,
        mail_from: &str,
        rcpt: &str,
    ) -> Greylisting {
        if !config.greylisting || (!config.check_local_clients && crate::peer::is_local(ip)) {
            return Greylisting::Pass;
        }
        let triplet = Triplet {
            network: network(ip),
            sender: mail_from.to_ascii_lowercase(),
            recipient: rcpt.to_ascii_lowercase(),
        };
        let keep_secs = config.greylist_keep_days.saturating_mul(24 * 3600);
        match (self.store)
            .greylist(triplet, config.greylist_delay_secs, keep_secs)
            .await
        {
            Ok(Greylist::Known | Greylist::Passed) => Greylisting::Pass,
            Ok(Greylist::Wait(secs)) => Greylisting::Defer {
                retry_in_secs: secs.max(1),
            },
            Err(e) => {
                // The database is the store's to report; greylisting never holds mail up by
                // itself.
                tracing::error!(error = %e, "greylisting lookup failed; passing");
                Greylisting::Pass
            }
        }
    }
}

/// RFC 6647 §4.1: a client network, not one address, since big senders retry from another
/// address of the same pool: the /24 of an IPv4 address, the /64 of an IPv6 one.
pub fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::network;

    #[test]
    fn networks_are_the_ipv4_slash_24_and_the_ipv6_slash_64() {
        let net = |ip: &str| network(ip.parse().expect("ip"));
        assert_eq!(net("192.0.2.77"), "192.0.2.0/24");
        assert_eq!(net("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(net("::ffff:198.51.100.9"), "198.51.100.0/24");
    }
}
