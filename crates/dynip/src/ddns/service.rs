//! [`Ddns`]: the IP watcher and one updater per record, as one running generation that a
//! settings change replaces (a record stopped by a fatal answer gets a new chance then).

use std::sync::{Arc, Mutex, MutexGuard};

use config::DdnsRecord;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{DdnsStatus, RecordStatus, runner};
use crate::ip::{self, CheckStatus, PublicIp, WatchSettings};

/// The dynamic DNS service; cheap to clone. Disabled: nothing runs and the status says so.
#[derive(Clone)]
pub struct Ddns {
    running: Arc<Mutex<Running>>,
    /// The public addresses, kept across restarts (one channel for the service's life).
    ip: watch::Sender<PublicIp>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
}

/// One generation of tasks, stopped by `stop` (a child of the engine's shutdown token).
struct Running {
    enabled: bool,
    check: Arc<Mutex<CheckStatus>>,
    records: Arc<Mutex<Vec<RecordStatus>>>,
    stop: CancellationToken,
}

impl Ddns {
    /// Starts the IP watcher and one updater per record on `tracker`, until `shutdown`.
    /// Disabled in `settings`: starts nothing.
    pub fn start(
        settings: &config::Ddns,
        shutdown: &CancellationToken,
        tracker: &TaskTracker,
    ) -> reqwest::Result<Ddns> {
        let ip = watch::Sender::new(PublicIp::default());
        let running = Running::start(settings, &ip, shutdown.child_token(), tracker)?;
        Ok(Ddns {
            running: Arc::new(Mutex::new(running)),
            ip,
            shutdown: shutdown.clone(),
            tracker: tracker.clone(),
        })
    }

    /// Stops what runs and starts again with `settings` (after a settings change).
    pub fn restart(&self, settings: &config::Ddns) -> reqwest::Result<()> {
        let next = Running::start(
            settings,
            &self.ip,
            self.shutdown.child_token(),
            &self.tracker,
        )?;
        let previous = std::mem::replace(&mut *self.lock(), next);
        previous.stop.cancel();
        tracing::info!(target: "ddns", enabled = settings.enabled, records = settings.records.len(), "dynamic DNS restarted with new settings");
        Ok(())
    }

    /// A snapshot of the addresses and every record's state.
    pub fn status(&self) -> DdnsStatus {
        let running = self.lock();
        // Turned off, it shows no addresses (the last known ones wait for it to come back).
        let ip = if running.enabled {
            *self.ip.borrow()
        } else {
            PublicIp::default()
        };
        let check = running.check.lock().map(|c| c.clone()).unwrap_or_default();
        DdnsStatus {
            enabled: running.enabled,
            ipv4: ip.v4,
            ipv6: ip.v6,
            last_check: check.last_check,
            last_check_error: check.last_error,
            records: running
                .records
                .lock()
                .map(|r| r.clone())
                .unwrap_or_default(),
        }
    }

    /// The public addresses; `changed()` wakes when one changes (across restarts).
    pub fn public_ip(&self) -> watch::Receiver<PublicIp> {
        self.ip.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Running {
    fn start(
        settings: &config::Ddns,
        ip: &watch::Sender<PublicIp>,
        stop: CancellationToken,
        tracker: &TaskTracker,
    ) -> reqwest::Result<Running> {
        let records = settings.records.iter().map(RecordStatus::new).collect();
        let records = Arc::new(Mutex::new(records));
        if !settings.enabled {
            return Ok(Running {
                enabled: false,
                check: Arc::default(),
                records,
                stop,
            });
        }
        // Look a family up only when a record needs it (or there are no records at all).
        let wants = |f: fn(&DdnsRecord) -> bool| {
            settings.records.is_empty() || settings.records.iter().any(f)
        };
        let endpoints =
            |wanted: bool, list: &Vec<String>| if wanted { list.clone() } else { vec![] };
        let watch = WatchSettings {
            ipv4_endpoints: endpoints(wants(|r| r.ipv4), &settings.ipv4_endpoints),
            ipv6_endpoints: endpoints(wants(|r| r.ipv6), &settings.ipv6_endpoints),
            interval: settings.check_interval,
            timeout: settings.timeout,
        };
        let check = ip::spawn(watch, ip.clone(), stop.clone(), tracker)?;
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .no_proxy()
            .user_agent(crate::USER_AGENT)
            .build()?;
        for (index, record) in settings.records.iter().enumerate() {
            let runner = runner::Runner {
                record: record.clone(),
                index,
                client: client.clone(),
                refresh: settings.refresh_interval,
                retry_after: settings.retry_after,
                status: records.clone(),
            };
            tracker.spawn(runner.run(ip.subscribe(), stop.clone()));
        }
        Ok(Running {
            enabled: true,
            check,
            records,
            stop,
        })
    }
}
