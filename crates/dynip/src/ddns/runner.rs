//! The schedule of one record: send when the address changes, again every refresh
//! interval; after a temporary failure wait `retry_after`, doubled each time up to an hour;
//! after a fatal one stop until the configuration (and so the engine's tasks) changes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use config::DdnsRecord;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Addrs, Done, Failure, RecordStatus};
use crate::ip::PublicIp;

/// The longest wait between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

pub(super) struct Runner {
    pub record: DdnsRecord,
    /// This record's place in `status`.
    pub index: usize,
    pub client: reqwest::Client,
    pub refresh: Duration,
    pub retry_after: Duration,
    pub status: Arc<Mutex<Vec<RecordStatus>>>,
}

impl Runner {
    pub(super) async fn run(self, mut ip: watch::Receiver<PublicIp>, shutdown: CancellationToken) {
        let host = self.record.hostname.clone();
        // What the record was last set to, and when to act again (refresh or retry).
        let mut sent: Option<Addrs> = None;
        let mut wake: Option<Instant> = None;
        let mut backoff = self.retry_after;
        loop {
            let want = Addrs::of(&self.record, &ip.borrow_and_update());
            let due = wake.is_none_or(|at| at <= Instant::now());
            if let Some(want) = want.filter(|w| due && (sent != Some(*w) || wake.is_some())) {
                self.set(|s| s.last_attempt = Some(crate::unix_now()));
                let result = super::update(&self.client, &self.record, want).await;
                let kind = result.as_ref().err().map(Failure::kind);
                match result {
                    Ok(done) => {
                        let result = if done == Done::Good { "good" } else { "nochg" };
                        tracing::info!(target: "ddns", hostname = %host, addresses = ?want.list(), result, "dynamic DNS record updated");
                        sent = Some(want);
                        backoff = self.retry_after;
                        wake = Some(Instant::now() + self.refresh);
                        self.set(|s| {
                            s.addresses = want.list();
                            s.last_update = Some(crate::unix_now());
                            s.last_result = Some(result.to_string());
                            s.last_error = None;
                            s.last_error_kind = None;
                        });
                    }
                    Err(Failure::Temporary(why)) => {
                        tracing::warn!(target: "ddns", hostname = %host, retry_in = ?backoff, "dynamic DNS update failed: {why}");
                        wake = Some(Instant::now() + backoff);
                        backoff = (backoff * 2).min(MAX_BACKOFF.max(self.retry_after));
                        self.set(|s| {
                            s.last_result = Some("retrying".to_string());
                            s.last_error = Some(why);
                            s.last_error_kind = kind;
                        });
                    }
                    Err(Failure::Fatal(why)) => {
                        tracing::error!(target: "ddns", hostname = %host, "dynamic DNS update refused, not retrying until the configuration changes: {why}");
                        self.set(|s| {
                            s.last_result = Some("stopped".to_string());
                            s.last_error = Some(why);
                            s.last_error_kind = kind;
                            s.stopped = true;
                            s.next_run = None;
                        });
                        shutdown.cancelled().await;
                        return;
                    }
                }
            }
            let next_run = wake.map(|at| {
                let secs = at.saturating_duration_since(Instant::now()).as_secs();
                crate::unix_now() + i64::try_from(secs).unwrap_or(i64::MAX / 2)
            });
            self.set(|s| s.next_run = if want.is_some() { next_run } else { None });
            let sleep = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                changed = ip.changed() => {
                    if changed.is_err() {
                        // The watcher ended: the engine is stopping.
                        shutdown.cancelled().await;
                        return;
                    }
                    // A new address is sent at once, even while waiting to retry.
                    if Addrs::of(&self.record, &ip.borrow()) != sent {
                        wake = None;
                    }
                }
                () = sleep => {}
                () = shutdown.cancelled() => return,
            }
        }
    }

    /// Changes this record's status.
    fn set(&self, change: impl FnOnce(&mut RecordStatus)) {
        if let Ok(mut all) = self.status.lock()
            && let Some(status) = all.get_mut(self.index)
        {
            change(status);
        }
    }
}
