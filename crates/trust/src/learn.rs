//! The learner: trains the classifiers from the jobs that moves into and out of Junk queue
//! in the store (`store::junk`). It runs as one task beside the sessions, so a user's MOVE is
//! answered at once; the tokenizing runs on the blocking pool, the counting in one writer job
//! per message, which is idempotent (a message moved twice is learned once).

use store::{Change, Store};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::scan::Scan;
use crate::tokens;

/// How much of each message is read to learn from it (the default `[filter] max_scan_size`).
pub const TRAIN_BYTES: u64 = 1024 * 1024;

/// How many distinct tokens one classifier keeps; past it the rarest, longest unseen go.
pub const MAX_CLASSIFIER_TOKENS: u64 = 200_000;

/// Jobs taken from the store at a time.
const BATCH: usize = 32;

/// Learns from queued jobs until `shutdown`: those already queued at start, then whenever
/// the store says a move queued more.
pub async fn run(store: Store, shutdown: CancellationToken) {
    let mut changes = store.subscribe();
    loop {
        if let Err(e) = drain(&store).await {
            tracing::warn!(error = %e, "learning from Junk moves failed; trying at the next move");
        }
        loop {
            let change = tokio::select! {
                () = shutdown.cancelled() => return,
                change = changes.recv() => change,
            };
            match change {
                Ok(Change::JunkTrainingQueued { .. }) | Err(RecvError::Lagged(_)) => break,
                Ok(_) => {}
                Err(RecvError::Closed) => return,
            }
        }
    }
}

/// Does every queued job.
async fn drain(store: &Store) -> Result<(), store::StoreError> {
    loop {
        let jobs = store.junk_pending(BATCH, TRAIN_BYTES).await?;
        if jobs.is_empty() {
            return Ok(());
        }
        for job in jobs {
            let head = job.head.unwrap_or_default();
            let tokens =
                tokio::task::spawn_blocking(move || tokens::of(&Scan::parse(&head, false)))
                    .await
                    .unwrap_or_default();
            let learned = store
                .junk_learn(job.id, tokens, MAX_CLASSIFIER_TOKENS)
                .await?;
            tracing::info!(
                account = job.account,
                spam = job.spam,
                ?learned,
                "classifier trained"
            );
        }
    }
}
