//! Smart hosts: every `[[route]]` relay is probed with the queue's own SMTP client
//! (`queue::probe`): reachable, TLS as the route requires (RFC 3207 / RFC 8314), AUTH with
//! the route's credentials (RFC 4954). One check per route.

use queue::probe::{ProbeStage, probe_route};

use super::{Check, Message, Status};

pub(super) async fn check(config: &config::Config, dns: Option<&queue::Dns>) -> Vec<Check> {
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
    let mut checks = Vec::new();
    for (i, route) in config.routes.iter().enumerate() {
        let index = i.to_string();
        let domains = route.domains.join(", ");
        let probes = tokio::time::timeout(
            config.doctor.timeout * u32::try_from(route.relay.len().max(1)).unwrap_or(1),
            probe_route(route, &config.hostname, dns),
        )
        .await;
        let mut check = match probes {
            Err(_) => Check::new(
                "smart_host",
                Status::Problem,
                Message::new("smart_host.unreachable", &[("relay", &relays(route))]),
            )
            .detail("error", "timed out")
            .fix(Message::new("fix.smart_host_address", &[])),
            Ok(probes) => {
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
                for p in &probes {
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
        };
        check = check.detail("route", &index).detail("domains", &domains);
        checks.push(check);
    }
    checks
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
fn failed(p: &queue::probe::RelayProbe) -> Check {
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
