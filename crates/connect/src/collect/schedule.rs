//! The [`Collector`]: one loop per `[[collect]]` job, running it at start and then every
//! `interval` (disabled jobs only when asked to), one run at a time per job, stopped by the
//! shutdown token. A run cut off by shutdown is safe to drop (see `run.rs`).

use std::sync::{Arc, Mutex};

use config::{Collect, CollectTarget, Config};
use serde::Serialize;
use store::Store;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::run::{self, RunContext, RunReport};

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
    /// Runs finished since the server started.
    pub runs: u64,
    /// When the last run finished (unix seconds).
    pub last_run: Option<i64>,
    /// When a run last finished without an error.
    pub last_success: Option<i64>,
    /// Messages delivered by the last run (also when it ended in an error).
    pub fetched: u64,
    /// Messages deleted on the server by the last run.
    pub deleted: u64,
    /// Messages delivered since the server started.
    pub fetched_total: u64,
    /// The last run's error; `None` when it succeeded.
    pub last_error: Option<String>,
    /// When the next scheduled run starts (unix seconds); `None` for a disabled job.
    pub next_run: Option<i64>,
}

/// Runs every `[[collect]]` job; cheap to clone.
#[derive(Clone)]
pub struct Collector {
    jobs: Arc<Vec<Job>>,
    ctx: Arc<RunContext>,
}

struct Job {
    config: Collect,
    status: Mutex<CollectStatus>,
    /// "Run now" wakes the job's loop (a permit is kept if it is busy).
    wake: Notify,
}

impl Collector {
    pub fn new(config: &Config, store: Store) -> Collector {
        let jobs = config
            .collect
            .iter()
            .enumerate()
            .map(|(index, job)| {
                let (mode, account) = match &job.target {
                    CollectTarget::Account(a) => ("account", a.clone()),
                    CollectTarget::Domain { fallback } => ("domain", fallback.clone()),
                };
                Job {
                    status: Mutex::new(CollectStatus {
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
                        next_run: job.enabled.then(crate::unix_now),
                    }),
                    config: job.clone(),
                    wake: Notify::new(),
                }
            })
            .collect();
        Collector {
            jobs: Arc::new(jobs),
            ctx: Arc::new(RunContext {
                store,
                hostname: config.hostname.clone(),
                max_message_size: config.limits.max_message_size,
            }),
        }
    }

    /// Every job's status, in config order.
    pub fn status(&self) -> Vec<CollectStatus> {
        self.jobs
            .iter()
            .map(|job| lock(&job.status).clone())
            .collect()
    }

    /// Starts a run of job `index` now (after the current one, if one is going on); also for
    /// a disabled job. `false` when there is no such job.
    pub fn run_now(&self, index: usize) -> bool {
        match self.jobs.get(index) {
            Some(job) => {
                job.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// Runs the jobs until `shutdown` is cancelled.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut loops = JoinSet::new();
        for index in 0..self.jobs.len() {
            loops.spawn(self.clone().job_loop(index, shutdown.clone()));
        }
        while loops.join_next().await.is_some() {}
    }

    async fn job_loop(self, index: usize, shutdown: CancellationToken) {
        let job = &self.jobs[index];
        let mut asked = false;
        loop {
            if job.config.enabled || asked {
                tokio::select! {
                    () = self.run_once(job) => {}
                    () = shutdown.cancelled() => return,
                }
            }
            asked = false;
            let interval = job.config.interval;
            lock(&job.status).next_run = job
                .config
                .enabled
                .then(|| crate::unix_now().saturating_add(interval.as_secs() as i64));
            tokio::select! {
                () = tokio::time::sleep(interval), if job.config.enabled => {}
                () = job.wake.notified() => asked = true,
                () = shutdown.cancelled() => return,
            }
        }
    }

    async fn run_once(&self, job: &Job) {
        lock(&job.status).running = true;
        let label = job.config.label();
        tracing::debug!(job = %label, "collecting");
        let mut report = RunReport::default();
        let result = run::run(&job.config, &self.ctx, &mut report).await;
        let now = crate::unix_now();
        let mut status = lock(&job.status);
        status.running = false;
        status.runs += 1;
        status.last_run = Some(now);
        status.fetched = report.fetched;
        status.deleted = report.deleted;
        status.fetched_total += report.fetched;
        match result {
            Ok(()) => {
                status.last_success = Some(now);
                status.last_error = None;
                if report.fetched > 0 || report.deleted > 0 {
                    tracing::info!(job = %label, fetched = report.fetched, deleted = report.deleted, "collected mail");
                }
            }
            Err(e) => {
                tracing::warn!(job = %label, fetched = report.fetched, error = %e, "collecting mail failed");
                status.last_error = Some(e.to_string());
            }
        }
    }
}

/// The status lock; a panic while it was held leaves usable data.
fn lock(status: &Mutex<CollectStatus>) -> std::sync::MutexGuard<'_, CollectStatus> {
    status
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
