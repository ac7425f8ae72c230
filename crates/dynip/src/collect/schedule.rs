//! The [`Collector`]: one loop per `[[collect]]` job, running it at start and then every
//! `interval` (disabled jobs only when asked to), one run at a time per job, stopped by the
//! shutdown token. [`Collector::update`] applies a changed job list while the server runs:
//! unchanged jobs keep their loop and state, removed and edited ones are stopped, new and
//! edited ones start (and run at once). A run cut off by a stop is safe to drop (see
//! `run.rs`), and a job's replacement does not open the mailbox before the old loop ended.

use std::sync::{Arc, Mutex, OnceLock};

use config::{Collect, CollectTarget, Config};
use event::Event;
use serde::Serialize;
use store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::run::{self, RunContext, RunReport};
use crate::ErrorKind;
use crate::job_list::{Indexed, Item, JobList, lock};

/// The state of one job, for the admin API (`GET /api/collect`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CollectStatus {
    /// The job's position among the `[[collect]]` tables, from 0.
    pub index: usize,
    /// `pop3://user@host:port` (never the password).
    pub label: String,
    /// `pop3` or `imap`.
    pub protocol: String,
    /// `account` or `domain`.
    pub mode: String,
    /// The local account that gets the mail (for a domain mailbox: the fallback).
    pub account: String,
    /// `implicit`, `starttls` or `none`.
    pub tls: String,
    /// `None`: mail is left on the server; 0: deleted after download.
    pub keep_days: Option<u32>,
    pub enabled: bool,
    /// A run is going on now.
    pub running: bool,
    /// Runs finished since the job started (the server started, or the job was added).
    pub runs: u64,
    /// When the last run finished (unix seconds).
    pub last_run: Option<i64>,
    /// When a run last finished without an error.
    pub last_success: Option<i64>,
    /// Messages delivered by the last run (also when it ended in an error).
    pub fetched: u64,
    /// Messages deleted on the server by the last run.
    pub deleted: u64,
    /// Messages delivered since the job started.
    pub fetched_total: u64,
    /// The last run's error; `None` when it succeeded.
    pub last_error: Option<String>,
    /// The kind of `last_error` (`"connection_refused"`, `"auth"`, ...), for a translated
    /// sentence in the panel; `None` when the last run succeeded.
    pub last_error_kind: Option<ErrorKind>,
    /// When the next scheduled run starts (unix seconds); `None` for a disabled job.
    pub next_run: Option<i64>,
}

/// Runs every `[[collect]]` job; cheap to clone.
#[derive(Clone)]
pub struct Collector {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// Hostname and size limit; replaced by [`Collector::update`], read at each run's start.
    ctx: Mutex<Arc<RunContext>>,
    /// The jobs in config order.
    jobs: JobList<Collect, CollectStatus>,
    /// The engine's shutdown: every job's stop token is a child of it.
    shutdown: CancellationToken,
    /// Set by [`Collector::start`]: where job loops run.
    tracker: OnceLock<TaskTracker>,
}

/// A job: its settings, status and loop signals.
type Job = Item<Collect, CollectStatus>;

impl Indexed for CollectStatus {
    fn set_index(&mut self, index: usize) {
        self.index = index;
    }
}

/// Job `index` with `job`'s settings, not run yet.
fn new_job(index: usize, job: &Collect, stop: CancellationToken) -> Job {
    let (mode, account) = match &job.target {
        CollectTarget::Account(a) => ("account", a.clone()),
        CollectTarget::Domain { fallback } => ("domain", fallback.clone()),
    };
    let status = CollectStatus {
        index,
        label: job.label(),
        protocol: job.protocol.as_str().to_string(),
        mode: mode.to_string(),
        account,
        tls: job.tls.as_str().to_string(),
        keep_days: job.keep_days,
        enabled: job.enabled,
        running: false,
        runs: 0,
        last_run: None,
        last_success: None,
        fetched: 0,
        deleted: 0,
        fetched_total: 0,
        last_error: None,
        last_error_kind: None,
        next_run: job.enabled.then(crate::unix_now),
    };
    Item::new(job.clone(), status, stop)
}

fn context(config: &Config, store: &Store) -> Arc<RunContext> {
    Arc::new(RunContext {
        store: store.clone(),
        hostname: config.hostname.clone(),
        max_message_size: config.limits.max_message_size,
        labels: config.collect.iter().map(Collect::label).collect(),
    })
}

impl Collector {
    /// The jobs of `config`, not running until [`Collector::start`]; all stopped when
    /// `shutdown` is cancelled.
    pub fn new(config: &Config, store: Store, shutdown: &CancellationToken) -> Collector {
        Collector {
            inner: Arc::new(Inner {
                ctx: Mutex::new(context(config, &store)),
                store,
                jobs: JobList::from_config(&config.collect, shutdown, new_job),
                shutdown: shutdown.clone(),
                tracker: OnceLock::new(),
            }),
        }
    }

    /// Starts every job's loop on `tracker`. Once only.
    pub fn start(&self, tracker: &TaskTracker) {
        if self.inner.tracker.set(tracker.clone()).is_err() {
            return;
        }
        for job in self.inner.jobs.all() {
            self.spawn(job, Vec::new());
        }
    }

    /// Applies `config`'s job list (and hostname, size limit) while running. A job whose
    /// settings are unchanged keeps its loop, schedule and status (its `index` follows its new
    /// position); the others stop, and the new list's other jobs start and run at once.
    pub fn update(&self, config: &Config) {
        *lock(&self.inner.ctx) = context(config, &self.inner.store);
        let shutdown = &self.inner.shutdown;
        let changed = self.inner.jobs.replace(&config.collect, |index, settings| {
            new_job(index, settings, shutdown.child_token())
        });
        let (started, removed) = (changed.started, changed.stopped);
        if !(started.is_empty() && removed.is_empty()) {
            tracing::info!(
                started = started.len(),
                stopped = removed.len(),
                "collection jobs updated"
            );
        }
        for job in started {
            // The same mailbox (and its record of collected ids): one session at a time.
            let label = job.config.label();
            let wait = removed
                .iter()
                .filter(|old| old.config.label() == label)
                .map(|old| old.ended.clone())
                .collect();
            self.spawn(job, wait);
        }
    }

    fn spawn(&self, job: Arc<Job>, wait: Vec<CancellationToken>) {
        let Some(tracker) = self.inner.tracker.get() else {
            return;
        };
        let this = self.clone();
        tracker.spawn(async move {
            let _ended = job.ended.clone().drop_guard();
            for old in wait {
                tokio::select! {
                    () = old.cancelled() => {}
                    () = job.stop.cancelled() => return,
                }
            }
            this.job_loop(&job).await;
        });
    }

    /// Every job's status, in config order.
    pub fn status(&self) -> Vec<CollectStatus> {
        self.inner.jobs.status()
    }

    /// Starts a run of job `index` now (after the current one, if one is going on); also for
    /// a disabled job. `false` when there is no such job.
    pub fn run_now(&self, index: usize) -> bool {
        self.inner.jobs.run_now(index)
    }

    /// Runs `job` until it is stopped (removed, replaced, shutdown). A run in progress is
    /// dropped at the stop: each message is delivered and recorded in one commit, and the
    /// server deletes nothing before our commits (`run.rs`), so nothing is half-recorded.
    async fn job_loop(&self, job: &Job) {
        let mut asked = false;
        loop {
            if job.config.enabled || asked {
                tokio::select! {
                    () = self.run_once(job) => {}
                    () = job.stop.cancelled() => {
                        tracing::info!(job = %job.config.label(), "collection job stopped during a run; what it committed stays collected");
                        return;
                    }
                }
            }
            asked = false;
            tokio::select! {
                () = tokio::time::sleep(job.config.interval), if job.config.enabled => {}
                () = job.wake.notified() => asked = true,
                () = job.stop.cancelled() => return,
            }
        }
    }

    async fn run_once(&self, job: &Job) {
        job.state().running = true;
        let label = job.config.label();
        tracing::debug!(job = %label, "collecting");
        let ctx = lock(&self.inner.ctx).clone();
        let mut report = RunReport::default();
        let result = run::run(&job.config, &ctx, &mut report).await;
        let now = crate::unix_now();
        let mut status = job.state();
        status.running = false;
        status.runs += 1;
        status.last_run = Some(now);
        // With the run's result (one snapshot): when the loop runs the job again.
        let interval = job.config.interval.as_secs() as i64;
        status.next_run = job.config.enabled.then(|| now.saturating_add(interval));
        status.fetched = report.fetched;
        status.deleted = report.deleted;
        status.fetched_total += report.fetched;
        if report.fetched > 0 {
            // What was fetched is stored, whether the run ended well or not.
            event::emit(Event::Collected {
                messages: report.fetched,
            });
        }
        match result {
            Ok(()) => {
                status.last_success = Some(now);
                status.last_error = None;
                status.last_error_kind = None;
                if report.fetched > 0 || report.deleted > 0 {
                    tracing::info!(job = %label, fetched = report.fetched, deleted = report.deleted, "collected mail");
                }
            }
            Err(e) => {
                tracing::warn!(job = %label, fetched = report.fetched, error = %e, "collecting mail failed");
                status.last_error = Some(e.to_string());
                status.last_error_kind = Some(e.kind());
            }
        }
    }
}
