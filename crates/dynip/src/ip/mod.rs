//! The public IP watcher: asks HTTP IP-echo endpoints (a plain-text body holding the caller's
//! address, e.g. ipify, icanhazip, ipw.cn) for this line's public IPv4 and IPv6 address on a
//! schedule, and publishes the result on a `tokio::sync::watch` channel, which changes only
//! when an address does. Endpoints are tried in turn, so one outage does not matter; an
//! answer must be a public-looking address (not private, loopback, documentation...).

mod public;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use public::is_public;

/// The public addresses last seen; `None` until an endpoint answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PublicIp {
    pub v4: Option<Ipv4Addr>,
    pub v6: Option<Ipv6Addr>,
}

/// How the last look-up went, for the status API.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckStatus {
    /// Unix seconds of the last look-up.
    pub last_check: Option<i64>,
    /// Why the last look-up of a family failed (every endpoint, one per line), if it did.
    pub last_error: Option<String>,
}

/// What the watcher asks and how often.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    /// Endpoints per family; an empty list leaves that family alone.
    pub ipv4_endpoints: Vec<String>,
    pub ipv6_endpoints: Vec<String>,
    pub interval: Duration,
    /// Per request.
    pub timeout: Duration,
}

/// The HTTP clients of one family: the IPv4 one binds 0.0.0.0 and the IPv6 one `::`, so a
/// name with both A and AAAA records is reached over the family being asked about.
fn client(local: IpAddr, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .local_address(local)
        .timeout(timeout)
        .no_proxy()
        .user_agent(crate::USER_AGENT)
        .build()
}

/// Starts watching on a task that ends with `shutdown`, publishing changed addresses on `tx`
/// (which outlives the task: a restarted watcher goes on from the last known addresses, so its
/// subscribers never see a settings change as an IP change); returns the look-up status.
pub fn spawn(
    settings: WatchSettings,
    tx: watch::Sender<PublicIp>,
    shutdown: CancellationToken,
    tracker: &tokio_util::task::TaskTracker,
) -> reqwest::Result<Arc<Mutex<CheckStatus>>> {
    let v4 = client(IpAddr::V4(Ipv4Addr::UNSPECIFIED), settings.timeout)?;
    let v6 = client(IpAddr::V6(Ipv6Addr::UNSPECIFIED), settings.timeout)?;
    let status = Arc::new(Mutex::new(CheckStatus::default()));
    let shared = status.clone();
    tracker.spawn(async move {
        loop {
            let mut errors = Vec::new();
            let found_v4 = match keep(
                lookup(&v4, &settings.ipv4_endpoints, false).await,
                &mut errors,
            ) {
                Some(IpAddr::V4(ip)) => Some(ip),
                _ => None,
            };
            let found_v6 = match keep(
                lookup(&v6, &settings.ipv6_endpoints, true).await,
                &mut errors,
            ) {
                Some(IpAddr::V6(ip)) => Some(ip),
                _ => None,
            };
            if let Ok(mut status) = shared.lock() {
                status.last_check = Some(crate::unix_now());
                status.last_error = (!errors.is_empty()).then(|| errors.join("\n"));
            }
            for error in &errors {
                tracing::warn!(target: "ddns", "public IP look-up failed: {error}");
            }
            // A failed look-up keeps the last known address: an outage is not a change.
            tx.send_if_modified(|current| {
                let next = PublicIp {
                    v4: found_v4.or(current.v4),
                    v6: found_v6.or(current.v6),
                };
                let changed = next != *current;
                if changed {
                    tracing::info!(target: "ddns", v4 = ?next.v4, v6 = ?next.v6, "public IP changed");
                    *current = next;
                }
                changed
            });
            tokio::select! {
                () = tokio::time::sleep(settings.interval) => {}
                () = shutdown.cancelled() => break,
            }
        }
    });
    Ok(status)
}

/// The address found, or none with the failure added to `errors`.
fn keep(found: Result<Option<IpAddr>, String>, errors: &mut Vec<String>) -> Option<IpAddr> {
    found.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

/// The first public address of the family (`v6` or not) an endpoint answers with;
/// `Ok(None)` when there are no endpoints to ask; otherwise every endpoint's failure.
pub async fn lookup(
    client: &reqwest::Client,
    endpoints: &[String],
    v6: bool,
) -> Result<Option<IpAddr>, String> {
    let mut failures = Vec::new();
    for url in endpoints {
        match ask(client, url, v6).await {
            Ok(ip) => return Ok(Some(ip)),
            Err(e) => failures.push(format!("{url}: {e}")),
        }
    }
    if failures.is_empty() {
        Ok(None)
    } else {
        let family = if v6 { "IPv6" } else { "IPv4" };
        Err(format!("{family}: {}", failures.join("; ")))
    }
}

/// One endpoint's answer, checked to be a public address.
async fn ask(client: &reqwest::Client, url: &str, v6: bool) -> Result<IpAddr, String> {
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| crate::http_error(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let body = response.text().await.map_err(|e| crate::http_error(&e))?;
    let text = body.trim();
    let ip: IpAddr = text.parse().map_err(|_| {
        format!(
            "the answer is not an IP address: {:?}",
            crate::snippet(text)
        )
    })?;
    if ip.is_ipv6() != v6 {
        return Err(format!(
            "{ip} is not an IPv{} address",
            if v6 { 6 } else { 4 }
        ));
    }
    if !is_public(ip) {
        return Err(format!("{ip} is not a public address"));
    }
    Ok(ip)
}

#[cfg(test)]
mod tests;
