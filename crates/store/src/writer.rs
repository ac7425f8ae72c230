//! The writer thread: the only connection of this process that writes, and group commit.
//!
//! Callers hand the writer a job (a closure over the connection). The writer takes one job,
//! then everything else already queued (up to [`MAX_BATCH`]), and runs them all in ONE
//! transaction, each inside its own savepoint so that a failing job rolls back alone. After the
//! single `COMMIT` (one fsync with `synchronous=FULL`) it broadcasts the jobs' changes and
//! answers each caller. If the transaction fails, every job of the batch gets the error.
//!
//! The thread stops when every [`Writer`] handle is gone, after the jobs already queued.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ffi};
use tokio::sync::{broadcast, oneshot};

use crate::{Change, Result, StoreError};

/// The most jobs one transaction holds.
pub(crate) const MAX_BATCH: usize = 256;

/// Under concurrency the writer waits for more jobs while they keep arriving at most this far
/// apart, and at most [`LINGER_MAX`] in all: small against a commit's fsync.
const LINGER_GAP: Duration = Duration::from_micros(50);
const LINGER_MAX: Duration = Duration::from_micros(500);

/// How long a connection waits for another process's lock (the CLI writing while the server
/// runs) before giving up with "database is locked".
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the write connection: WAL, `synchronous=FULL` (a commit is durable when it returns),
/// foreign keys enforced.
pub(crate) fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Invalid(format!(
            "the database {} cannot use write-ahead logging (journal mode {mode})",
            path.display()
        )));
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    // Checkpoints run on their own thread (checkpoint.rs), not inside our commits.
    conn.execute_batch(&format!(
        "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {};",
        crate::checkpoint::JOURNAL_SIZE_LIMIT
    ))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// One unit of work for the writer.
trait Job: Send {
    /// Runs the work inside the job's savepoint; `false` means it failed and is rolled back.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the batch's fate is known, broadcasting the job's changes if
    /// they are durable. `commit` is the batch's result.
    fn finish(
        self: Box<Self>,
        commit: std::result::Result<(), &rusqlite::Error>,
        changes: &broadcast::Sender<Change>,
    );
}

/// A job built from a closure, answered on a oneshot channel.
struct Call<T, F> {
    work: Option<F>,
    outcome: Option<Result<T>>,
    changes: Vec<Change>,
    reply: oneshot::Sender<Result<T>>,
}

impl<T, F> Job for Call<T, F>
where
    T: Send,
    F: FnOnce(&Connection, &mut Vec<Change>) -> Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let changes = &mut self.changes;
        // A panicking job must not take the writer (and every later write) down with it.
        let outcome = catch_unwind(AssertUnwindSafe(|| work(conn, changes))).unwrap_or_else(|_| {
            tracing::error!("a store write panicked; its changes are rolled back");
            Err(internal_error("a write failed unexpectedly"))
        });
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(
        self: Box<Self>,
        commit: std::result::Result<(), &rusqlite::Error>,
        changes: &broadcast::Sender<Change>,
    ) {
        let answer = match (self.outcome, commit) {
            // Its own failure: it was rolled back alone, whatever became of the batch.
            (Some(Err(e)), _) => Err(e),
            (_, Err(e)) => Err(copy_error(e)),
            (Some(Ok(value)), Ok(())) => {
                for change in self.changes {
                    // Nobody listening is fine.
                    let _ = changes.send(change);
                }
                Ok(value)
            }
            (None, Ok(())) => Err(internal_error("a write was not run")),
        };
        // The caller may have given up waiting; the change is durable all the same.
        let _ = self.reply.send(answer);
    }
}

/// The handle on the writer thread.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
    thread: Option<JoinHandle<()>>,
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the writer thread on `conn` (opened with [`open_connection`], migrated).
    pub(crate) fn start(conn: Connection, changes: broadcast::Sender<Change>) -> Result<Writer> {
        let (jobs, queue) = mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let checkpointer = match conn.path() {
            Some(path) if !path.is_empty() => Some(crate::checkpoint::start(path.into())?),
            _ => None,
        };
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn({
                let commits = Arc::clone(&commits);
                move || run(conn, queue, changes, commits, checkpointer)
            })?;
        Ok(Writer {
            jobs,
            thread: Some(thread),
            commits,
        })
    }

    /// Queues `work` and returns where its answer will arrive. `work` runs on the writer
    /// thread inside a transaction; it records what it changed in the `Vec`, which is
    /// broadcast after the commit. An error rolls back only this job.
    pub(crate) fn submit<T, F>(&self, work: F) -> Result<oneshot::Receiver<Result<T>>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<Change>) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Call {
            work: Some(work),
            outcome: None,
            changes: Vec::new(),
            reply,
        });
        self.jobs.send(job).map_err(|_| StoreError::Closed)?;
        Ok(answer)
    }

    /// Runs `work` (see [`Writer::submit`]) and returns its result once it is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<Change>) -> Result<T> + Send + 'static,
    {
        self.submit(work)?.await.map_err(|_| StoreError::Closed)?
    }

    /// Transactions committed so far.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Stops taking jobs and waits (on a blocking thread) until the queued ones are done.
    pub(crate) async fn shut_down(mut self) {
        let thread = self.thread.take();
        drop(self);
        if let Some(thread) = thread {
            let joined = tokio::task::spawn_blocking(move || thread.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("the store writer thread did not stop cleanly");
            }
        }
    }
}

/// The writer thread's loop: one batch per transaction until every sender is gone.
fn run(
    conn: Connection,
    queue: mpsc::Receiver<Box<dyn Job>>,
    changes: broadcast::Sender<Change>,
    commits: Arc<AtomicU64>,
    checkpointer: Option<mpsc::SyncSender<()>>,
) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    let mut last_batch = 0;
    while let Ok(first) = queue.recv() {
        batch.push(first);
        gather(&queue, &mut batch, last_batch > 1);
        last_batch = batch.len();
        let commit = run_batch(&conn, &mut batch);
        match &commit {
            Ok(()) => {
                commits.fetch_add(1, Ordering::Relaxed);
                if let Some(checkpointer) = &checkpointer {
                    // Full means a checkpoint is already due; nothing to add.
                    let _ = checkpointer.try_send(());
                }
            }
            Err(e) => tracing::error!(error = %e, jobs = batch.len(), "a store transaction failed"),
        }
        for job in batch.drain(..) {
            job.finish(commit.as_ref().map(|_| ()), &changes);
        }
    }
    if let Err((_, e)) = conn.close() {
        tracing::error!(error = %e, "closing the database failed");
    }
    // The checkpointer makes its last checkpoint after our last commit.
    drop(checkpointer);
}

/// Takes the jobs already queued. Under concurrency (`linger`), also those arriving in a quick
/// succession: a commit costs one fsync (milliseconds) whatever its size, and the callers
/// answered by the last commit come back within microseconds; without waiting for them,
/// batches split into two alternating halves.
///
/// Lingering sleeps and then drains the queue, rather than blocking on it: a job queued while
/// the writer sleeps costs its sender no wake-up of this thread (one per batch, not per job).
fn gather(queue: &mpsc::Receiver<Box<dyn Job>>, batch: &mut Vec<Box<dyn Job>>, linger: bool) {
    let start = Instant::now();
    let mut first = true;
    loop {
        let before = batch.len();
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(mpsc::TryRecvError::Disconnected) => return,
                Err(mpsc::TryRecvError::Empty) => break,
            }
        }
        let arrived = batch.len() > before;
        let left = LINGER_MAX.saturating_sub(start.elapsed());
        // Stop when full, when not lingering, when the linger is spent, or when a whole gap
        // went by without a new job (the first round always waits one gap).
        if batch.len() >= MAX_BATCH || !linger || left.is_zero() || !(arrived || first) {
            return;
        }
        first = false;
        std::thread::sleep(left.min(LINGER_GAP));
    }
}

/// Runs the jobs in one transaction, each in its own savepoint, and commits.
fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    // IMMEDIATE takes the write lock now (waiting out another process within the busy
    // timeout) instead of failing halfway when a read would have to become a write.
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let result = (|| {
        for job in batch.iter_mut() {
            conn.prepare_cached("SAVEPOINT job")?.execute([])?;
            let ok = job.run(conn);
            if conn.is_autocommit() {
                // SQLite rolled the whole transaction back (I/O error, disk full...).
                return Err(rusqlite::Error::SqliteFailure(
                    ffi::Error::new(ffi::SQLITE_ABORT),
                    Some("the transaction was rolled back".into()),
                ));
            }
            if !ok {
                conn.prepare_cached("ROLLBACK TO job")?.execute([])?;
            }
            conn.prepare_cached("RELEASE job")?.execute([])?;
        }
        conn.prepare_cached("COMMIT")?.execute([])?;
        Ok(())
    })();
    if result.is_err()
        && !conn.is_autocommit()
        && let Err(e) = conn.execute_batch("ROLLBACK")
    {
        tracing::error!(error = %e, "rolling back a failed transaction failed");
    }
    result
}

/// The batch's error, once per job (rusqlite's error is not `Clone`).
fn copy_error(e: &rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(*code, message.clone()))
        }
        other => internal_error(&other.to_string()),
    }
}

/// An error that is nobody's input: reported as a database error.
pub(crate) fn internal_error(message: &str) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        ffi::Error::new(ffi::SQLITE_INTERNAL),
        Some(message.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer_on(dir: &tempfile::TempDir) -> Result<(Writer, broadcast::Sender<Change>)> {
        let conn = open_connection(&dir.path().join("w.db"))?;
        conn.execute_batch("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")?;
        let (changes, _) = broadcast::channel(16);
        Ok((Writer::start(conn, changes.clone())?, changes))
    }

    fn count(dir: &tempfile::TempDir) -> Result<i64> {
        let conn = Connection::open(dir.path().join("w.db"))?;
        Ok(conn.query_row("SELECT count(*) FROM t", [], |row| row.get(0))?)
    }

    #[tokio::test]
    async fn a_failing_job_rolls_back_alone_and_the_batch_commits_once() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (writer, _changes) = writer_on(&dir)?;

        // Hold the writer so the next jobs queue up and land in one batch.
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let held = writer.submit(move |_, _| {
            let _ = started.send(());
            let _ = gate.recv();
            Ok(())
        })?;
        running.await.map_err(|_| StoreError::Closed)?;
        let mut answers = Vec::new();
        for v in 0..10 {
            answers.push(writer.submit(move |conn, _| {
                conn.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
                if v == 4 {
                    // Half done, then fails: its insert must not survive.
                    return Err(StoreError::Invalid("job 4 fails".into()));
                }
                Ok(v)
            })?);
        }
        let _ = release.send(());
        held.await.map_err(|_| StoreError::Closed)??;

        for (v, answer) in answers.into_iter().enumerate() {
            let answer = answer.await.map_err(|_| StoreError::Closed)?;
            if v == 4 {
                assert!(matches!(answer, Err(StoreError::Invalid(_))));
            } else {
                assert_eq!(answer?, v as i32);
            }
        }
        assert_eq!(count(&dir)?, 9);
        assert_eq!(writer.commits(), 2, "held job alone, then the ten together");
        Ok(())
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_writer_goes_on() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (writer, _changes) = writer_on(&dir)?;
        let answer: Result<()> = writer
            .write(|conn, _| {
                conn.execute("INSERT INTO t (v) VALUES (1)", [])?;
                panic!("deliberate");
            })
            .await;
        assert!(answer.is_err());
        writer
            .write(|conn, _| {
                conn.execute("INSERT INTO t (v) VALUES (2)", [])?;
                Ok(())
            })
            .await?;
        assert_eq!(count(&dir)?, 1);
        Ok(())
    }

    #[tokio::test]
    async fn queued_jobs_finish_before_the_writer_stops() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (writer, _changes) = writer_on(&dir)?;
        let mut answers = Vec::new();
        for v in 0..50 {
            answers.push(writer.submit(move |conn, _| {
                conn.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
                Ok(())
            })?);
        }
        writer.shut_down().await;
        for answer in answers {
            answer.await.map_err(|_| StoreError::Closed)??;
        }
        assert_eq!(count(&dir)?, 50);
        Ok(())
    }

    #[tokio::test]
    async fn changes_are_broadcast_only_for_jobs_that_commit() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (writer, changes) = writer_on(&dir)?;
        let mut seen = changes.subscribe();
        let failed: Result<()> = writer
            .write(|_, changes| {
                changes.push(Change::QueueAdded { ids: vec![1] });
                Err(StoreError::Invalid("no".into()))
            })
            .await;
        assert!(failed.is_err());
        writer
            .write(|_, changes| {
                changes.push(Change::QueueAdded { ids: vec![2] });
                Ok(())
            })
            .await?;
        assert_eq!(
            seen.try_recv().ok(),
            Some(Change::QueueAdded { ids: vec![2] })
        );
        assert!(seen.try_recv().is_err());
        Ok(())
    }
}
