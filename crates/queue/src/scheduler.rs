//! The scheduler: claims due rows (marking them in flight), groups them into jobs (one
//! message, one destination) and hands them to the destinations' lanes. It wakes when the
//! store says rows were added, when the next row falls due, when recorded results make room,
//! and at least every [`POLL`] (for changes made by another process).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use store::{Change, QueuedRecipient};
use tokio::sync::broadcast::error::RecvError;

use crate::delivery::{Job, Lane, Shared};
use crate::route::Target;

/// The longest sleep: `postroom queue retry` from another process is seen within this.
const POLL: Duration = Duration::from_secs(2);
/// Rows claimed per store write.
const CLAIM_BATCH: usize = 500;
/// Rows in flight at most (claimed, not yet recorded).
const MAX_IN_FLIGHT: usize = 5000;
/// How often finished rows older than `queue.keep_finished` are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub(crate) async fn run(shared: Arc<Shared>) {
    match shared.store.queue_recover().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            rows = n,
            "queue: attempts cut short by a stop are due again"
        ),
        Err(e) => tracing::error!(error = %e, "queue: recovering in-flight rows failed"),
    }
    let mut changes = shared.store.subscribe();
    let mut lanes: HashMap<Target, Arc<Lane>> = HashMap::new();
    let mut last_purge: Option<Instant> = None;
    tracing::info!("queue: scheduler running");
    loop {
        if shared.shutdown.is_cancelled() {
            break;
        }
        let room = MAX_IN_FLIGHT.saturating_sub(shared.in_flight.load(Ordering::Relaxed));
        if room > 0 {
            match shared.store.queue_claim(room.min(CLAIM_BATCH)).await {
                Ok(rows) => {
                    let full = rows.len() == room.min(CLAIM_BATCH);
                    shared.in_flight.fetch_add(rows.len(), Ordering::Relaxed);
                    dispatch(&shared, &mut lanes, rows);
                    if full {
                        continue;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "queue: claiming due rows failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            last_purge = Some(Instant::now());
            purge(&shared).await;
            lanes.retain(|_, lane| !lane.is_idle());
        }
        let wait = match shared.store.queue_next_due().await {
            Ok(Some(due)) => {
                let secs = due.saturating_sub(unix_now()).max(0);
                // Due rows without room to claim them: wait for results instead.
                Duration::from_secs(u64::try_from(secs).unwrap_or(0))
                    .clamp(if room == 0 { POLL } else { Duration::ZERO }, POLL)
            }
            _ => POLL,
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            _ = shared.shutdown.cancelled() => break,
            _ = tokio::time::sleep(wait) => {}
            _ = shared.recorded.notified(), if room == 0 => {}
            _ = queue_added(&mut changes) => {}
        }
    }
    shared.tasks.close();
    shared.tasks.wait().await;
    tracing::info!("queue: scheduler stopped");
}

/// Waits until rows are added (or the subscription lagged: something may have been).
async fn queue_added(changes: &mut tokio::sync::broadcast::Receiver<Change>) {
    loop {
        match changes.recv().await {
            Ok(Change::QueueAdded { .. }) | Err(RecvError::Lagged(_)) => return,
            Ok(_) => {}
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

/// Groups rows (ordered by message) into jobs per destination and queues them.
fn dispatch(
    shared: &Arc<Shared>,
    lanes: &mut HashMap<Target, Arc<Lane>>,
    rows: Vec<QueuedRecipient>,
) {
    let mut jobs: Vec<(Target, Vec<QueuedRecipient>)> = Vec::new();
    let mut open: HashMap<Target, usize> = HashMap::new();
    let mut current: Option<(i64, String, Option<String>, Option<String>)> = None;
    for row in rows {
        let message = (
            row.blob_id,
            row.sender.clone(),
            row.envid.clone(),
            row.ret.clone(),
        );
        if current.as_ref() != Some(&message) {
            // A new message: its jobs start fresh.
            open.clear();
            current = Some(message);
        }
        let target = Target::of(&shared.config, &row.recipient);
        match open.get(&target) {
            Some(&i) => jobs[i].1.push(row),
            None => {
                open.insert(target.clone(), jobs.len());
                jobs.push((target, vec![row]));
            }
        }
    }
    for (target, rows) in jobs {
        let lane = lanes
            .entry(target.clone())
            .or_insert_with(|| Arc::new(Lane::new(target)));
        lane.push(shared, Job { rows });
    }
}

async fn purge(shared: &Shared) {
    let keep = i64::try_from(shared.config.queue.keep_finished.as_secs()).unwrap_or(i64::MAX);
    match shared
        .store
        .queue_purge(unix_now().saturating_sub(keep))
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(rows = n, "queue: finished entries removed"),
        Err(e) => tracing::error!(error = %e, "queue: removing finished entries failed"),
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
