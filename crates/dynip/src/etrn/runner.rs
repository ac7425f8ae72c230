//! The [`EtrnClient`]: one loop per `[[etrn]]` entry (first run at start, then on its
//! interval, on public IP changes and on "run now"), stopped by the shutdown token.
//! [`EtrnClient::update`] applies a changed entry list while running: unchanged entries keep
//! their loop and status, removed and edited ones stop (a session in progress is dropped:
//! ETRN only asks the backup MX to start its queue, so nothing is half-done), new and
//! edited ones start and run at once.

use std::sync::{Arc, Mutex, OnceLock};

use config::Etrn;
use queue::etrn::{EtrnFailure, EtrnSession};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{DomainStatus, EtrnStatus, classify, failure_kind, moved};
use crate::ddns::Ddns;
use crate::job_list::{Indexed, Item, JobList, lock};

/// The ETRN runner; cheap to clone.
#[derive(Clone)]
pub struct EtrnClient {
    inner: Arc<Inner>,
}

struct Inner {
    /// HELO name and resolver; replaced by [`EtrnClient::update`].
    session: Mutex<Arc<Session>>,
    /// The entries in config order.
    entries: JobList<Etrn, EtrnStatus>,
    /// The engine's shutdown: every entry's stop token is a child of it.
    shutdown: CancellationToken,
    /// Set by [`EtrnClient::start`]: the public IP to follow and where loops run.
    runner: OnceLock<(Ddns, TaskTracker)>,
}

struct Session {
    helo: String,
    dns: Option<Arc<queue::Dns>>,
}

/// An entry: its settings, status and loop signals.
type Entry = Item<Etrn, EtrnStatus>;

impl Indexed for EtrnStatus {
    fn set_index(&mut self, index: usize) {
        self.index = index;
    }
}

/// Entry `index` with `e`'s settings, not run yet.
fn new_entry(index: usize, e: &Etrn, stop: CancellationToken) -> Entry {
    let domains = e
        .domains
        .iter()
        .map(|d| DomainStatus {
            domain: d.clone(),
            result: None,
            reply: None,
        })
        .collect();
    let status = EtrnStatus {
        index,
        host: e.host.clone(),
        port: e.port,
        tls: e.tls.as_str(),
        last_run: None,
        trigger: None,
        running: false,
        next_run: None,
        error: None,
        error_kind: None,
        domains,
    };
    Item::new(e.clone(), status, stop)
}

fn session(config: &config::Config) -> Arc<Session> {
    let dns = match queue::Dns::new(&config.dns) {
        Ok(dns) => Some(Arc::new(dns)),
        Err(e) => {
            tracing::warn!(target: "etrn", "DNS setup failed, ETRN is off: {e}");
            None
        }
    };
    Arc::new(Session {
        helo: config.hostname.clone(),
        dns,
    })
}

impl EtrnClient {
    /// The entries of `config`, not run until [`EtrnClient::start`]; all stopped when
    /// `shutdown` is cancelled.
    pub fn new(config: &config::Config, shutdown: &CancellationToken) -> EtrnClient {
        EtrnClient {
            inner: Arc::new(Inner {
                session: Mutex::new(session(config)),
                entries: JobList::from_config(&config.etrn, shutdown, new_entry),
                shutdown: shutdown.clone(),
                runner: OnceLock::new(),
            }),
        }
    }

    /// Runs every entry now and then on its interval and on public IP changes seen by
    /// `ddns`; the loops run on `tracker`. Once only.
    pub fn start(&self, ddns: Ddns, tracker: TaskTracker) {
        if self.inner.runner.set((ddns, tracker)).is_err() {
            return;
        }
        for entry in self.inner.entries.all() {
            self.spawn(entry, "start");
        }
    }

    /// Applies `config`'s entries (and hostname, DNS settings) while running. An entry
    /// whose settings are unchanged keeps its loop, schedule and status (its `index` follows
    /// its new position); the others stop, and the new list's other entries start and run
    /// at once (trigger "settings").
    pub fn update(&self, config: &config::Config) {
        *lock(&self.inner.session) = session(config);
        let shutdown = &self.inner.shutdown;
        let changed = self.inner.entries.replace(&config.etrn, |index, settings| {
            new_entry(index, settings, shutdown.child_token())
        });
        let (started, removed) = (changed.started, changed.stopped);
        if !(started.is_empty() && removed.is_empty()) {
            tracing::info!(target: "etrn", started = started.len(), stopped = removed.len(), "ETRN entries updated");
        }
        for entry in started {
            self.spawn(entry, "settings");
        }
    }

    fn spawn(&self, entry: Arc<Entry>, first: &'static str) {
        let Some((ddns, tracker)) = self.inner.runner.get() else {
            return;
        };
        let (this, ddns) = (self.clone(), ddns.clone());
        tracker.spawn(async move { this.entry_loop(&entry, first, &ddns).await });
    }

    /// Every entry's status, in config order.
    pub fn status(&self) -> Vec<EtrnStatus> {
        self.inner.entries.status()
    }

    /// Runs entry `index` now (after the session going on, if any); `false` when there is
    /// no such entry.
    pub fn run_now(&self, index: usize) -> bool {
        self.inner.entries.run_now(index)
    }

    async fn entry_loop(&self, entry: &Entry, first: &'static str, ddns: &Ddns) {
        let mut ip = ddns.public_ip();
        // The channel lives as long as the DDNS service (restarts included).
        let mut watching = true;
        let mut seen = *ip.borrow_and_update();
        let mut trigger = first;
        loop {
            tokio::select! {
                () = self.run_one(entry, trigger) => {}
                () = entry.stop.cancelled() => return,
            }
            // `next_run` in the status says the same (set with the run's result).
            let due = tokio::time::Instant::now() + entry.config.interval;
            trigger = loop {
                tokio::select! {
                    () = entry.stop.cancelled() => return,
                    () = tokio::time::sleep_until(due) => break "interval",
                    () = entry.wake.notified() => break "manual",
                    changed = ip.changed(), if watching => {
                        if changed.is_err() {
                            watching = false;
                            continue;
                        }
                        let now = *ip.borrow_and_update();
                        let move_seen = moved(seen, now);
                        seen = now;
                        if move_seen {
                            break "ip_change";
                        }
                    }
                }
            };
        }
    }

    /// One session with `entry`; logs and records the outcome.
    async fn run_one(&self, entry: &Entry, trigger: &'static str) {
        entry.state().running = true;
        let session = lock(&self.inner.session).clone();
        let e = &entry.config;
        let outcome = match &session.dns {
            None => Err(EtrnFailure::Connect("DNS is not set up".into())),
            Some(dns) => {
                let starttls = e.tls == config::EtrnTls::Starttls;
                queue::etrn::etrn(&e.host, e.port, &session.helo, starttls, &e.domains, dns).await
            }
        };
        let label = format!("{}:{}", e.host, e.port);
        let mut status = entry.state();
        status.running = false;
        let now = crate::unix_now();
        status.last_run = Some(now);
        status.next_run = Some(now.saturating_add(e.interval.as_secs() as i64));
        status.trigger = Some(trigger);
        match outcome {
            Ok(EtrnSession { host, replies }) => {
                status.error = None;
                status.error_kind = None;
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
                status.error_kind = Some(failure_kind(&failure));
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
