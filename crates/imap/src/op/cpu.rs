//! CPU-heavy command work (SEARCH over headers and bodies, SORT, THREAD) off the reactor.
//!
//! A session awaits the work on tokio's blocking pool, so one client's search cannot stall
//! every other connection served by the same reactor thread. One semaphore, shared by every
//! session in the process, bounds how many such jobs run at once (the number of CPUs), so
//! the total CPU IMAP commands take is bounded across connections, not per connection.

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

static JOBS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cpus))
});

/// Why a job gave no result.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CpuError {
    /// The job panicked or the runtime is shutting down.
    #[error("blocking job failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    /// The semaphore was closed (never, in practice).
    #[error("blocking job slots closed")]
    Closed,
}

/// Runs `job` on the blocking pool once one of the shared slots is free.
pub(crate) async fn run<T, F>(job: F) -> Result<T, CpuError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = JOBS
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| CpuError::Closed)?;
    let out = tokio::task::spawn_blocking(move || {
        let out = job();
        drop(permit);
        out
    })
    .await?;
    Ok(out)
}
