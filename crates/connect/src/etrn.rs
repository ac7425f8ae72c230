//! ETRN (RFC 1985): asks each `[[etrn]]` backup MX to send the mail it queued for our
//! domains while this line was down: at start, every entry's `interval`, and whenever the
//! public IP watcher (`[ddns]`) sees the address change. The session itself is
//! `queue::etrn`; here are the schedule, the meaning of the reply codes (§5) and the status
//! the admin API shows.

use std::sync::{Arc, Mutex};

use config::Etrn;
use queue::etrn::{EtrnFailure, EtrnSession};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::ddns::Ddns;
use crate::ip::PublicIp;

/// One `[[etrn]]` entry's last run.
#[derive(Debug, Clone, Serialize)]
pub struct EtrnStatus {
    pub host: String,
    pub port: u16,
    /// "starttls" or "none".
    pub tls: &'static str,
    /// Unix seconds of the last run.
    pub last_run: Option<i64>,
    /// What started it: "start", "interval" or "ip_change".
    pub trigger: Option<&'static str>,
    /// Why the last run did not get as far as ETRN (connection, TLS, not advertised).
    pub error: Option<String>,
    /// Each domain's answer in the last run that reached ETRN.
    pub domains: Vec<DomainStatus>,
}

/// One domain's answer.
#[derive(Debug, Clone, Serialize)]
pub struct DomainStatus {
    pub domain: String,
    /// "started" (250, 252, 253), "nothing_queued" (251), "refused" (458, 459),
    /// "unsupported" (500, 501, 502) or "failed" (any other code); `None` before a run.
    pub result: Option<&'static str>,
    /// The server's reply on one line.
    pub reply: Option<String>,
}

/// RFC 1985 §5: what an `ETRN domain` reply code means.
pub fn classify(code: u16) -> &'static str {
    match code {
        250 | 252 | 253 => "started",
        251 => "nothing_queued",
        458 | 459 => "refused",
        500..=502 => "unsupported",
        _ => "failed",
    }
}

/// Whether a known address changed. A family's first address is no change: the run at
/// start covered it, and the watcher finds the addresses only after the engine started.
fn moved(before: PublicIp, now: PublicIp) -> bool {
    (before.v4.is_some() && now.v4 != before.v4) || (before.v6.is_some() && now.v6 != before.v6)
}

/// The ETRN runner; cheap to clone.
#[derive(Clone)]
pub struct EtrnClient {
    entries: Arc<Vec<Etrn>>,
    helo: String,
    dns: Option<Arc<queue::Dns>>,
    status: Arc<Mutex<Vec<EtrnStatus>>>,
}

impl EtrnClient {
    /// The entries of `config`, not yet run.
    pub fn new(config: &config::Config) -> EtrnClient {
        let status = config
            .etrn
            .iter()
            .map(|e| EtrnStatus {
                host: e.host.clone(),
                port: e.port,
                tls: e.tls.as_str(),
                last_run: None,
                trigger: None,
                error: None,
                domains: e
                    .domains
                    .iter()
                    .map(|d| DomainStatus {
                        domain: d.clone(),
                        result: None,
                        reply: None,
                    })
                    .collect(),
            })
            .collect();
        let dns = match queue::Dns::new(&config.dns) {
            Ok(dns) => Some(Arc::new(dns)),
            Err(e) => {
                tracing::warn!(target: "etrn", "DNS setup failed, ETRN is off: {e}");
                None
            }
        };
        EtrnClient {
            entries: Arc::new(config.etrn.clone()),
            helo: config.hostname.clone(),
            dns,
            status: Arc::new(Mutex::new(status)),
        }
    }

    /// Every entry's last run, in config order.
    pub fn status(&self) -> Vec<EtrnStatus> {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Runs every entry at start, on its interval and on public IP changes seen by `ddns`,
    /// until `shutdown`; the interval timers run on `tracker`.
    pub async fn run(self, ddns: Ddns, shutdown: CancellationToken, tracker: TaskTracker) {
        if self.entries.is_empty() {
            return;
        }
        for (index, _) in self.entries.iter().enumerate() {
            let this = self.clone();
            let stop = shutdown.clone();
            tracker.spawn(async move { this.interval_loop(index, stop).await });
        }
        self.run_all("start", &shutdown).await;
        let mut ip = ddns.public_ip();
        let mut seen = *ip.borrow_and_update();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                changed = ip.changed() => {
                    // The channel lives as long as the DDNS service (restarts included).
                    if changed.is_err() {
                        return;
                    }
                    let now = *ip.borrow_and_update();
                    if moved(seen, now) {
                        self.run_all("ip_change", &shutdown).await;
                    }
                    seen = now;
                }
            }
        }
    }

    async fn interval_loop(&self, index: usize, shutdown: CancellationToken) {
        let every = self.entries[index].interval;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = self.run_one(index, "interval") => {}
                    }
                }
            }
        }
    }

    /// Every entry in turn; a session in progress is dropped at shutdown.
    async fn run_all(&self, trigger: &'static str, shutdown: &CancellationToken) {
        for index in 0..self.entries.len() {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.run_one(index, trigger) => {}
            }
        }
    }

    /// One session with entry `index`; logs and records the outcome.
    async fn run_one(&self, index: usize, trigger: &'static str) {
        let entry = &self.entries[index];
        let outcome = match &self.dns {
            None => Err(EtrnFailure::Connect("DNS is not set up".into())),
            Some(dns) => {
                let starttls = entry.tls == config::EtrnTls::Starttls;
                queue::etrn::etrn(
                    &entry.host,
                    entry.port,
                    &self.helo,
                    starttls,
                    &entry.domains,
                    dns,
                )
                .await
            }
        };
        let label = format!("{}:{}", entry.host, entry.port);
        let Ok(mut all) = self.status.lock() else {
            return;
        };
        let status = &mut all[index];
        status.last_run = Some(crate::unix_now());
        status.trigger = Some(trigger);
        match outcome {
            Ok(EtrnSession { host, replies }) => {
                status.error = None;
                for r in replies {
                    let result = classify(r.reply.code);
                    let reply = r.reply.one_line();
                    tracing::info!(target: "etrn", %host, domain = %r.domain, result, %reply, trigger, "ETRN");
                    if let Some(d) = status.domains.iter_mut().find(|d| d.domain == r.domain) {
                        d.result = Some(result);
                        d.reply = Some(reply);
                    }
                }
            }
            Err(failure) => {
                let why = match failure {
                    EtrnFailure::Connect(why) => why,
                    EtrnFailure::NotAdvertised => {
                        "the server does not advertise ETRN in its EHLO reply".to_string()
                    }
                };
                tracing::warn!(target: "etrn", host = %label, trigger, "ETRN failed: {why}");
                status.error = Some(why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::{PublicIp, classify, moved};

    #[test]
    fn only_a_known_address_that_changes_is_a_move() {
        let ip = |last: u8| PublicIp {
            v4: Some(Ipv4Addr::new(81, 2, 69, last)),
            v6: None,
        };
        assert!(!moved(PublicIp::default(), ip(1)));
        assert!(!moved(ip(1), ip(1)));
        assert!(moved(ip(1), ip(2)));
    }

    #[test]
    fn reply_codes_follow_rfc_1985_section_5() {
        for (code, meaning) in [
            (250, "started"),
            (251, "nothing_queued"),
            (252, "started"),
            (253, "started"),
            (458, "refused"),
            (459, "refused"),
            (500, "unsupported"),
            (501, "unsupported"),
            (502, "unsupported"),
            (421, "failed"),
            (554, "failed"),
        ] {
            assert_eq!(classify(code), meaning, "{code}");
        }
    }
}
