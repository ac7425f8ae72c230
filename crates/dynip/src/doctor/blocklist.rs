//! DNS blocklists (RFC 5782): the public address's reversed octets (§2.1) or nibbles (§2.4)
//! under each configured zone, every zone asked at once. An A record in 127.0.0.0/8 means
//! listed (§2.3), NXDOMAIN means not listed; zones that do not list IPv6 answer NXDOMAIN.
//! A listed IPv6 address is a warning (`blocklist6`): the queue tries IPv4 first.
//! 127.255.255.0/24 is no listing but the list refusing the query (see `trust::peer::listing`,
//! shared with the inbound checks).

use std::net::IpAddr;

use futures_util::future::join_all;

use super::lookup::{Dns, Failure};
use super::{Check, Message, Status, reverse};

/// The `blocklist` (IPv4) or `blocklist6` check of `ip` in `zones` (not empty).
pub(super) async fn check(dns: &Dns, ip: IpAddr, zones: &[String]) -> Check {
    let (id, listed_key, listed_status) = match ip {
        IpAddr::V4(_) => ("blocklist", "blocklist.listed", Status::Problem),
        IpAddr::V6(_) => ("blocklist6", "blocklist6.listed", Status::Warning),
    };
    let answers = join_all(zones.iter().map(|zone| async move {
        let name = reverse::blocklist_name(ip, zone);
        (zone, dns.ipv4(&name).await)
    }))
    .await;
    let (mut listed, mut unknown, mut details) = (Vec::new(), Vec::new(), Vec::new());
    for (zone, answer) in answers {
        let result = match answer {
            Ok(codes) => trust::peer::listing(&codes),
            Err(Failure::NoAnswer) => Err("no answer".to_string()),
            Err(Failure::Failed(e)) => Err(format!("look-up failed: {e}")),
        };
        let text = match result {
            Ok(None) => "not listed".to_string(),
            Ok(Some(codes)) => {
                listed.push(zone.as_str());
                format!("listed ({codes})")
            }
            Err(why) => {
                unknown.push(zone.as_str());
                why
            }
        };
        details.push((zone, text));
    }
    let ip_text = ip.to_string();
    let mut check = if !listed.is_empty() {
        let zones = listed.join(", ");
        let params = [("ip", ip_text.as_str()), ("zones", zones.as_str())];
        Check::new(id, listed_status, Message::new(listed_key, &params))
            .fix(Message::new("fix.blocklist", &params[1..]))
    } else if !unknown.is_empty() {
        let zones = unknown.join(", ");
        let message = Message::new("blocklist.unknown", &[("zones", &zones)]);
        Check::new(id, Status::Warning, message)
    } else {
        Check::new(
            id,
            Status::Ok,
            Message::new("blocklist.ok", &[("ip", &ip_text)]),
        )
    };
    for (zone, result) in details {
        check = check.detail(zone, result);
    }
    check
}
