//! Validation of `[dns]`, `[[route]]`, `[queue]` and `[relay]`. A password is never part of
//! a problem's text: problems name the key only.

use std::net::IpAddr;
use std::time::Duration;

use toml::{Table, Value};

use super::{Problems, addr_list, domain_problem, path, section, string, unknown_keys, wrong_type};
use crate::outbound::parse_duration;
use crate::{Dns, EtrnClient, Network, Queue, Relay, RelayHost, Route, RouteTls, Secret};

/// The keys of one `[[route]]`.
const ROUTE_KEYS: &[&str] = &["domains", "relay", "tls", "username", "password", "ca"];

pub(super) fn dns(root: &mut Table, p: &mut Problems) -> Dns {
    let mut table = section(root, "dns", p);
    let servers = table
        .remove("servers")
        .map(|v| addr_list(v, "dns.servers", p))
        .unwrap_or_default();
    unknown_keys("dns", table, p);
    Dns { servers }
}

pub(super) fn relay(root: &mut Table, p: &mut Problems) -> Relay {
    let mut table = section(root, "relay", p);
    let mut networks = Vec::new();
    if let Some(value) = table.remove("networks") {
        for (key, text) in strings(value, "relay.networks", p) {
            match network(&text) {
                Some(net) => networks.push(net),
                None => p.push(
                    &key,
                    format!("`{text}` is not a network like \"192.168.1.0/24\" or \"::1/128\""),
                ),
            }
        }
    }
    let mut etrn = Vec::new();
    if let Some(value) = table.remove("etrn") {
        for (key, text) in strings(value, "relay.etrn", p) {
            let text = text.trim().to_ascii_lowercase();
            if let Some(net) = network(&text) {
                etrn.push(EtrnClient::Network(net));
            } else if domain_problem(&text).is_none() {
                etrn.push(EtrnClient::Domain(text));
            } else {
                p.push(
                    &key,
                    format!("`{text}` is neither a domain nor a network like \"192.0.2.0/24\""),
                );
            }
        }
    }
    unknown_keys("relay", table, p);
    Relay { networks, etrn }
}

fn network(text: &str) -> Option<Network> {
    let (addr, prefix) = match text.trim().split_once('/') {
        Some((addr, prefix)) => (
            addr.parse::<IpAddr>().ok()?,
            Some(prefix.parse::<u8>().ok()?),
        ),
        None => (text.trim().parse::<IpAddr>().ok()?, None),
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some(Network { addr, prefix })
}

pub(super) fn queue(root: &mut Table, p: &mut Problems) -> Queue {
    let mut table = section(root, "queue", p);
    let queue = Queue::read(&mut table, p);
    unknown_keys("queue", table, p);
    queue
}

pub(crate) fn duration(key: &str, text: &str, p: &mut Problems) -> Option<Duration> {
    match parse_duration(text) {
        Some(d) if !d.is_zero() => Some(d),
        _ => {
            p.push(
                key,
                format!("`{text}` is not a duration like \"30s\", \"5m\", \"4h\" or \"5d\""),
            );
            None
        }
    }
}

/// The items of an array of strings, each with its key (`queue.retry[2]`).
pub(crate) fn strings(value: Value, key: &str, p: &mut Problems) -> Vec<(String, String)> {
    let Value::Array(items) = value else {
        wrong_type(key, "an array of strings", &value, p);
        return Vec::new();
    };
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let item_key = format!("{key}[{i}]");
            string(item, &item_key, p).map(|s| (item_key, s))
        })
        .collect()
}

/// The strings of the list `name` that the table at `at` must have, each with its key; when
/// the list is absent, none and the problem `missing`.
fn required_strings(
    table: &mut Table,
    at: &str,
    name: &str,
    missing: &str,
    p: &mut Problems,
) -> Vec<(String, String)> {
    let key = format!("{at}.{name}");
    match table.remove(name) {
        None => {
            p.push(&key, missing);
            Vec::new()
        }
        Some(value) => strings(value, &key, p),
    }
}

pub(super) fn routes(root: &mut Table, p: &mut Problems) -> Vec<Route> {
    super::items(root.remove("route"), "route", p, route)
}

fn route(mut table: Table, at: &str, p: &mut Problems) -> Option<Route> {
    let before = p.0.len();
    let mut domains = Vec::new();
    let missing = "missing: list the recipient domains, e.g. [\"*\"] for all";
    for (key, text) in required_strings(&mut table, at, "domains", missing, p) {
        let pattern = text.trim().to_ascii_lowercase();
        let name = pattern.strip_prefix("*.").unwrap_or(&pattern);
        if pattern != "*"
            && let Some(why) = domain_problem(name)
        {
            p.push(&key, format!("{why}; use \"*\", \"name\" or \"*.name\""));
            continue;
        }
        domains.push(pattern);
    }
    let mut relay = Vec::new();
    let missing = "missing: list the relay hosts as \"host:port\"";
    for (key, text) in required_strings(&mut table, at, "relay", missing, p) {
        match relay_host(&text) {
            Some(host) => relay.push(host),
            None => p.push(
                &key,
                format!("`{text}` is not \"host:port\" (e.g. \"smtp.isp.example:587\")"),
            ),
        }
    }
    let tls = match table.remove("tls") {
        None => RouteTls::Starttls,
        Some(value) => match string(value, &format!("{at}.tls"), p).as_deref() {
            Some("starttls") => RouteTls::Starttls,
            Some("implicit") => RouteTls::Implicit,
            Some("none") => RouteTls::None,
            Some(other) => {
                p.push(
                    &format!("{at}.tls"),
                    format!("`{other}` is not one of \"starttls\", \"implicit\", \"none\""),
                );
                RouteTls::Starttls
            }
            None => RouteTls::Starttls,
        },
    };
    let username = table
        .remove("username")
        .and_then(|v| string(v, &format!("{at}.username"), p));
    // Never echo the value: the problem names the key only.
    let password = table
        .remove("password")
        .and_then(|v| string(v, &format!("{at}.password"), p))
        .map(Secret);
    if username.is_some() != password.is_some() {
        p.push(
            &format!(
                "{at}.{}",
                if username.is_some() {
                    "password"
                } else {
                    "username"
                }
            ),
            "missing: username and password go together",
        );
    }
    let ca = table
        .remove("ca")
        .and_then(|v| path(v, &format!("{at}.ca"), p));
    super::unknown_item_keys(at, table, ROUTE_KEYS, p);
    (p.0.len() == before).then_some(Route {
        domains,
        relay,
        tls,
        username,
        password,
        ca,
    })
}

/// "host:port" or "[v6]:port".
fn relay_host(text: &str) -> Option<RelayHost> {
    let text = text.trim();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        (host.to_string(), port)
    } else {
        let (host, port) = text.rsplit_once(':')?;
        if host.parse::<IpAddr>().is_err() && domain_problem(host).is_some() {
            return None;
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = port.parse::<u16>().ok().filter(|p| *p != 0)?;
    Some(RelayHost { host, port })
}

#[cfg(test)]
mod tests {

    use crate::parse_for_test as parse;

    #[test]
    fn a_full_outbound_section_parses() {
        let config = parse(
            "[dns]\nservers = [\"127.0.0.1:5353\"]\n\
             [queue]\nretry = [\"1s\", \"2m\"]\ngive_up_after = \"1h\"\nmx_port = 2525\n\
             [relay]\nnetworks = [\"127.0.0.0/8\", \"::1\"]\n\
             [[route]]\ndomains = [\"*.corp.test\"]\nrelay = [\"10.0.0.5:25\"]\ntls = \"none\"\n\
             [[route]]\ndomains = [\"*\"]\nrelay = [\"smtp.isp.test:587\", \"[::1]:587\"]\n\
             username = \"u\"\npassword = \"p\"\nca = \"/ca.pem\"\n",
        )
        .expect("valid");
        assert_eq!(config.dns.servers.len(), 1);
        assert_eq!(config.queue.retry.len(), 2);
        assert_eq!(config.queue.mx_port, 2525);
        assert_eq!(config.relay.networks.len(), 2);
        assert_eq!(config.routes.len(), 2);
        assert_eq!(config.routes[1].relay[1].to_string(), "[::1]:587");
        assert!(config.routes[0].matches("a.corp.test"));
    }

    #[test]
    fn route_problems_name_their_key_and_never_the_password() {
        let err = parse(
            "[[route]]\ndomains = [\"*\"]\nrelay = [\"ok.test:25\"]\npassword = \"s3cret-pw\"\n\
             [[route]]\ndomains = [\"bad domain\"]\nrelay = [\"ok.test:25\", \"nope\"]\n\
             tls = \"ssl\"\nusername = \"u\"\npassword = 7\nport = 1\n\
             [queue]\nretry = [\"5 minutes\"]\nmx_port = 0\n[relay]\nnetworks = [\"10.0.0.0/33\"]",
        )
        .expect_err("invalid");
        crate::assert_problems_name(
            &err,
            &[
                "route[0].username: missing",
                "route[1].domains[0]:",
                "route[1].relay[1]: `nope`",
                "route[1].tls: `ssl`",
                "route[1].password: expected a string",
                "route[1].port: unknown key",
                "queue.retry[0]:",
                "queue.mx_port:",
                "relay.networks[0]:",
            ],
            "s3cret-pw",
        );
    }
}
