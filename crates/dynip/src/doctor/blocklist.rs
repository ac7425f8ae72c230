//! DNS blocklists (RFC 5782): the public address's reversed octets (§2.1) or nibbles (§2.4)
//! under each configured zone, every zone asked at once. An A record in 127.0.0.0/8 means
//! listed (§2.3), NXDOMAIN means not listed; zones that do not list IPv6 answer NXDOMAIN.
//! A listed IPv6 address is a warning (`blocklist6`): the queue tries IPv4 first.
//! 127.255.255.0/24 is no listing but the list refusing the query: Spamhaus answers
//! 127.255.255.254 to queries through public resolvers (8.8.8.8, 114.114.114.114...), which
//! many office lines use.

use std::net::{IpAddr, Ipv4Addr};

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
            Ok(codes) => verdict(&codes),
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

/// A zone's A records for the address: `Ok(None)` not listed, `Ok(Some(codes))` listed,
/// `Err` no verdict.
fn verdict(codes: &[Ipv4Addr]) -> Result<Option<String>, String> {
    let refused = |a: &&Ipv4Addr| a.octets()[..3] == [127, 255, 255];
    let listing = |a: &&Ipv4Addr| a.octets()[0] == 127 && !refused(a);
    let text = |keep: &dyn Fn(&&Ipv4Addr) -> bool| {
        let texts: Vec<String> = codes.iter().filter(keep).map(ToString::to_string).collect();
        texts.join(", ")
    };
    if codes.is_empty() {
        Ok(None)
    } else if codes.iter().any(|a| refused(&a)) {
        Err(format!("the list refused the query ({})", text(&refused)))
    } else if codes.iter().any(|a| listing(&a)) {
        Ok(Some(text(&listing)))
    } else {
        Err(format!("unexpected answer ({})", text(&|_| true)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(texts: &[&str]) -> Vec<Ipv4Addr> {
        texts.iter().map(|t| t.parse().expect("address")).collect()
    }

    #[test]
    fn loopback_codes_list_and_none_is_not_listed() {
        assert_eq!(verdict(&[]), Ok(None));
        let listed = verdict(&codes(&["127.0.0.2", "127.0.0.11"]));
        assert_eq!(listed, Ok(Some("127.0.0.2, 127.0.0.11".to_string())));
    }

    #[test]
    fn refusals_and_other_answers_give_no_verdict() {
        // Spamhaus: a query through a public resolver.
        let refused = verdict(&codes(&["127.255.255.254"]));
        assert_eq!(
            refused,
            Err("the list refused the query (127.255.255.254)".to_string())
        );
        // A wildcard or a hijacking resolver answering with a real address.
        let odd = verdict(&codes(&["198.51.100.1"]));
        assert_eq!(odd, Err("unexpected answer (198.51.100.1)".to_string()));
    }
}
