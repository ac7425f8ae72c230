//! Smart hosts: every `[[route]]` relay is probed with the queue's own SMTP client
//! (`queue::probe`): reachable, TLS as the route requires (RFC 3207 / RFC 8314), AUTH with
//! the route's credentials (RFC 4954). One check per route, all routes at once, each within
//! `[doctor] timeout` per relay; a route with a relay named by a name waits for the DNS probe
//! and is skipped when the DNS server does not answer.

use std::net::IpAddr;

use futures_util::future::join_all;
use queue::probe::{ProbeStage, RelayProbe, probe_route};

use super::lookup::Dns;
use super::{Check, Message, Status, dns_down};

pub(super) async fn check(config: &config::Config, dns: Option<&Dns>) -> Vec<Check> {
    if config.routes.is_empty() {
        return vec![Check::new(
            "smart_host",
            Status::Skipped,
            Message::new("smart_host.none", &[]),
        )];
    }
    let Some(dns) = dns else {
        return Vec::new();
    };
    let routes = config.routes.iter().enumerate();
    join_all(routes.map(|(i, route)| one(config, dns, i, route))).await
}

/// The check of the `i`th route.
async fn one(config: &config::Config, dns: &Dns, i: usize, route: &config::Route) -> Check {
    let named = route
        .relay
        .iter()
        .any(|r| r.host.parse::<IpAddr>().is_err());
    let check = if named && !dns.answering().await {
        dns_down("smart_host")
    } else {
        let limit = config.doctor.timeout * u32::try_from(route.relay.len().max(1)).unwrap_or(1);
        let probing = probe_route(route, &config.hostname, dns.queue());
        match tokio::time::timeout(limit, probing).await {
            Ok(probes) => probed(&probes),
            Err(_) => Check::new(
                "smart_host",
                Status::Problem,
                Message::new("smart_host.unreachable", &[("relay", &relays(route))]),
            )
            .detail("error", "timed out")
            .fix(Message::new("fix.smart_host_address", &[])),
        }
    };
    check
        .detail("route", i)
        .detail("domains", route.domains.join(", "))
}

/// The check from every relay's probe: good if one relay works.
fn probed(probes: &[RelayProbe]) -> Check {
    let good = probes.iter().find(|p| p.failure.is_none());
    let mut check = match (good, probes.first()) {
        (Some(p), _) => {
            let tls = p.tls.clone().unwrap_or_else(|| "none".into());
            let key = match p.auth {
                Some(true) => "smart_host.ok_auth",
                _ => "smart_host.ok",
            };
            Check::new(
                "smart_host",
                Status::Ok,
                Message::new(key, &[("relay", &p.relay), ("tls", &tls)]),
            )
        }
        (None, Some(p)) => failed(p),
        (None, None) => Check::new(
            "smart_host",
            Status::Problem,
            Message::new("smart_host.unreachable", &[("relay", "-")]),
        ),
    };
    for p in probes {
        let result = match &p.failure {
            None => format!(
                "ok, TLS: {}, AUTH: {}",
                p.tls.as_deref().unwrap_or("none"),
                match p.auth {
                    Some(true) => "accepted",
                    _ => "not used",
                }
            ),
            Some((_, why)) => why.clone(),
        };
        check = check.detail(&p.relay, result);
    }
    check
}

fn relays(route: &config::Route) -> String {
    route
        .relay
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The check for a route none of whose relays worked, from the first relay's failure.
fn failed(p: &RelayProbe) -> Check {
    let (key, fix) = match p.failure.as_ref().map(|(stage, _)| *stage) {
        Some(ProbeStage::Auth) => ("smart_host.auth_failed", "fix.smart_host_password"),
        Some(ProbeStage::Tls) => ("smart_host.tls_failed", "fix.smart_host_tls"),
        _ => ("smart_host.unreachable", "fix.smart_host_address"),
    };
    Check::new(
        "smart_host",
        Status::Problem,
        Message::new(key, &[("relay", &p.relay)]),
    )
    .fix(Message::new(fix, &[]))
}
