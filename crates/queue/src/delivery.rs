//! A destination's lane and its workers: each worker holds one connection and sends the
//! lane's messages one after the other, then records every recipient's outcome (and the
//! DSNs it causes) in one store commit.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use config::{Config, RouteTls};
use event::Event;
use proto::smtp::header;
use store::{
    AttemptResult, Delivery, Origin, Outcome, QueuedRecipient, RemoteRecipient, Resolution, Store,
};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::client::Connection;
use crate::dkim::{self, Signer};
use crate::dsn::{self, Action};
use crate::mx::Dns;
use crate::route::{self, Target};
use crate::transaction::{self, Envelope, Rcpt, Verdict};
use crate::{QueueError, retry, tls};

/// How long a domain's DKIM key (or the lack of one) is remembered.
const SIGNER_TTL: Duration = Duration::from_secs(60);

/// DKIM signers by domain, with when they were looked up (`None`: the domain has no key).
type Signers = HashMap<String, (Instant, Option<Arc<Signer>>)>;

/// What every lane and worker shares.
pub(crate) struct Shared {
    pub config: Arc<Config>,
    pub store: Store,
    pub dns: Dns,
    pub opportunistic: tls::Opportunistic,
    /// The verifying TLS config of each route (`None` for `tls = "none"`).
    pub route_tls: Vec<Option<Arc<rustls::ClientConfig>>>,
    /// `queue.max_connections`.
    pub connections: Arc<Semaphore>,
    /// Claimed rows whose outcome is not recorded yet.
    pub in_flight: AtomicUsize,
    /// Signalled when rows are recorded (room to claim more).
    pub recorded: Notify,
    pub shutdown: CancellationToken,
    pub tasks: TaskTracker,
    signers: Mutex<Signers>,
}

impl Shared {
    pub fn new(
        config: Arc<Config>,
        store: Store,
        shutdown: CancellationToken,
    ) -> Result<Shared, QueueError> {
        let dns = Dns::new(&config.dns).map_err(QueueError::Setup)?;
        let opportunistic = tls::Opportunistic::new().map_err(QueueError::Setup)?;
        let mut route_tls = Vec::new();
        for (i, route) in config.routes.iter().enumerate() {
            route_tls.push(match route.tls {
                RouteTls::None => None,
                _ => Some(
                    tls::verifying(route.ca.as_deref())
                        .map_err(|e| QueueError::Setup(format!("route[{i}].ca: {e}")))?,
                ),
            });
        }
        Ok(Shared {
            connections: Arc::new(Semaphore::new(config.queue.max_connections)),
            config,
            store,
            dns,
            opportunistic,
            route_tls,
            in_flight: AtomicUsize::new(0),
            recorded: Notify::new(),
            shutdown,
            tasks: TaskTracker::new(),
            signers: Mutex::new(HashMap::new()),
        })
    }

    /// The DKIM signer of a domain, if it is ours and has a key.
    async fn signer(&self, domain: &str) -> Option<Arc<Signer>> {
        if let Some((at, signer)) = self.lock_signers().get(domain)
            && at.elapsed() < SIGNER_TTL
        {
            return signer.clone();
        }
        let signer = match self.store.dkim_key(domain).await {
            Ok(Some(key)) => match Signer::new(&key) {
                Ok(signer) => Some(Arc::new(signer)),
                Err(e) => {
                    tracing::error!(domain, error = %e, "DKIM key unusable; sending unsigned");
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(domain, error = %e, "DKIM key lookup failed; sending unsigned");
                return None;
            }
        };
        self.lock_signers()
            .insert(domain.to_string(), (Instant::now(), signer.clone()));
        signer
    }

    fn lock_signers(&self) -> std::sync::MutexGuard<'_, Signers> {
        self.signers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One message for one destination: recipients sharing blob, sender, ENVID and RET.
pub(crate) struct Job {
    pub rows: Vec<QueuedRecipient>,
}

/// The work waiting for one destination and how many workers serve it.
pub(crate) struct Lane {
    pub target: Target,
    state: Mutex<LaneState>,
}

#[derive(Default)]
struct LaneState {
    jobs: VecDeque<Job>,
    workers: usize,
}

impl Lane {
    pub fn new(target: Target) -> Lane {
        Lane {
            target,
            state: Mutex::new(LaneState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LaneState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a job; starts a worker when the lane has fewer than the limit.
    pub fn push(self: &Arc<Self>, shared: &Arc<Shared>, job: Job) {
        let mut state = self.lock();
        state.jobs.push_back(job);
        if state.workers < shared.config.queue.max_connections_per_destination
            && state.workers < state.jobs.len()
        {
            state.workers += 1;
            shared
                .tasks
                .spawn(worker(Arc::clone(shared), Arc::clone(self)));
        }
    }

    /// The next job, or `None` (and one worker fewer) when the lane is empty.
    fn next(&self) -> Option<Job> {
        let mut state = self.lock();
        let job = state.jobs.pop_front();
        if job.is_none() {
            state.workers -= 1;
        }
        job
    }

    /// Every job still waiting (a dead destination fails them all at once).
    fn drain(&self) -> Vec<Job> {
        self.lock().jobs.drain(..).collect()
    }

    /// No jobs and no workers.
    pub fn is_idle(&self) -> bool {
        let state = self.lock();
        state.jobs.is_empty() && state.workers == 0
    }
}

/// A lane's worker: one connection, the lane's jobs one after the other.
async fn worker(shared: Arc<Shared>, lane: Arc<Lane>) {
    let Ok(_permit) = Arc::clone(&shared.connections).acquire_owned().await else {
        return;
    };
    let mut conn: Option<Connection> = None;
    while let Some(job) = lane.next() {
        if shared.shutdown.is_cancelled() {
            // Left in flight: due again at the next start.
            continue;
        }
        let message = match shared.store.queue_message(job.rows[0].blob_id).await {
            Ok(message) => message,
            Err(e) => {
                tracing::error!(error = %e, "reading a queued message failed");
                let verdicts = vec![Verdict::Deferred(format!("451 4.3.0 {e}")); job.rows.len()];
                record(
                    &shared,
                    job,
                    verdicts,
                    None,
                    None,
                    false,
                    Arc::new(Prepared::unsigned(Vec::new())),
                );
                continue;
            }
        };
        if let Some(reply) = loop_reply(&message, shared.config.limits.max_hops) {
            tracing::warn!(queue_id = job.rows[0].id, %reply, "mail loop: not relayed");
            let verdicts = vec![Verdict::Failed(reply); job.rows.len()];
            let message = Arc::new(Prepared::unsigned(message));
            record(&shared, job, verdicts, None, None, false, message);
            continue;
        }
        // Only mail our users submitted (AUTH) or a trusted network relayed is signed with our
        // key: a stranger's message forwarded by an alias must not carry our signature.
        let message = Arc::new(if job.rows[0].origin.may_sign() {
            sign(&shared, message).await
        } else {
            Prepared::unsigned(message)
        });
        if conn.is_none() {
            match route::connect(&shared, &lane.target).await {
                Ok(c) => conn = Some(c),
                Err((verdict, host)) => {
                    // Every message waiting for this destination meets the same fate now,
                    // rather than one connection attempt (and timeout) each.
                    for job in std::iter::once(job).chain(lane.drain()) {
                        let verdicts = vec![verdict.clone(); job.rows.len()];
                        record(
                            &shared,
                            job,
                            verdicts,
                            host.clone(),
                            None,
                            false,
                            message.clone(),
                        );
                    }
                    continue;
                }
            }
        }
        let Some(open) = conn.as_mut() else { continue };
        let envelope = Envelope {
            from: &job.rows[0].sender,
            rcpts: job
                .rows
                .iter()
                .map(|r| Rcpt {
                    address: &r.recipient,
                    notify: r.notify.as_deref(),
                    orcpt: r.orcpt.as_deref(),
                })
                .collect(),
            envid: job.rows[0].envid.as_deref(),
            ret: job.rows[0].ret.as_deref(),
            message: &message.wire,
        };
        let sent = transaction::send(open, &envelope).await;
        let (host, tls, peer_dsn) = (Some(open.host.clone()), open.tls.clone(), open.ext.dsn);
        let verdicts = match sent {
            Ok(verdicts) => verdicts,
            Err((verdicts, e)) => {
                tracing::info!(host = ?host, error = %e, "connection lost");
                conn = None;
                verdicts
            }
        };
        for (row, verdict) in job.rows.iter().zip(&verdicts) {
            tracing::info!(
                queue_id = row.id, to = %row.recipient, host = ?host, tls = ?tls,
                result = ?verdict, "delivery attempt"
            );
        }
        record(&shared, job, verdicts, host, tls, peer_dsn, message.clone());
    }
    if let Some(conn) = conn {
        conn.quit().await;
    }
}

/// RFC 5321 §6.3: a message that went round too often is in a loop and is never relayed
/// on; the reply for its failure notice.
fn loop_reply(message: &[u8], max_hops: usize) -> Option<String> {
    let hops = header::count(message, "Received");
    (hops > max_hops).then(|| {
        format!(
            "554 5.4.6 Routing loop detected: the message has {hops} Received headers (at most {max_hops})"
        )
    })
}

/// A message as it goes on the wire: the stored message, perhaps behind a DKIM signature.
pub(crate) struct Prepared {
    pub wire: Vec<u8>,
    /// Where the stored message starts in `wire` (the signature's length).
    stored_from: usize,
}

impl Prepared {
    fn unsigned(message: Vec<u8>) -> Prepared {
        Prepared {
            wire: message,
            stored_from: 0,
        }
    }

    /// The message as we received it, without our signature: what a DSN returns (a signed
    /// copy in a DSN would hand its recipient our signature on someone else's message).
    pub fn as_received(&self) -> &[u8] {
        &self.wire[self.stored_from..]
    }
}

/// Puts a DKIM signature in front of the message when its From: domain has a key.
async fn sign(shared: &Shared, message: Vec<u8>) -> Prepared {
    let Some(domain) = dkim::from_domain(&message) else {
        return Prepared::unsigned(message);
    };
    let Some(signer) = shared.signer(&domain).await else {
        return Prepared::unsigned(message);
    };
    // RSA signing takes a millisecond or two: off the reactor's threads.
    let signed = tokio::task::spawn_blocking(move || {
        let header = signer.sign(&message);
        (message, header)
    })
    .await;
    match signed {
        Ok((message, Ok(header))) => {
            let stored_from = header.len();
            let mut wire = header;
            wire.extend_from_slice(&message);
            Prepared { wire, stored_from }
        }
        Ok((message, Err(e))) => {
            tracing::error!(domain, error = %e, "DKIM signing failed; sending unsigned");
            Prepared::unsigned(message)
        }
        Err(_) => Prepared::unsigned(Vec::new()),
    }
}

/// Records a job's verdicts (and the DSNs they cause) in the background; the worker goes on
/// with the next message while the store commits.
fn record(
    shared: &Arc<Shared>,
    job: Job,
    verdicts: Vec<Verdict>,
    host: Option<String>,
    tls: Option<String>,
    peer_dsn: bool,
    message: Arc<Prepared>,
) {
    let shared_task = Arc::clone(shared);
    shared.tasks.spawn(async move {
        let shared = shared_task;
        let count = job.rows.len();
        let (results, notices) = outcomes(
            &shared,
            &job,
            &verdicts,
            host,
            tls,
            peer_dsn,
            message.as_received(),
        );
        let mut deliveries = Vec::new();
        for notice in notices {
            if let Some(delivery) =
                notice_delivery(&shared.store, &job.rows[0].sender, notice).await
            {
                deliveries.push(delivery);
            }
        }
        // The same outcomes as the attempt rows (the message's timeline), as events once
        // they are durable: the engine's journal counts them for the control panel.
        let recorded: Vec<(i64, &'static str, Event)> = results
            .iter()
            .map(|r| {
                let queue_id = r.id;
                match r.outcome {
                    Outcome::Delivered => (queue_id, "delivered", Event::Delivered { queue_id }),
                    Outcome::Deferred { .. } => {
                        (queue_id, "deferred", Event::Deferred { queue_id })
                    }
                    Outcome::Failed => (queue_id, "failed", Event::Bounced { queue_id }),
                }
            })
            .collect();
        match shared.store.queue_finish(results, deliveries).await {
            Ok(()) => {
                for (queue_id, outcome, event) in recorded {
                    tracing::info!(queue_id, outcome, "delivery recorded");
                    event::emit(event);
                }
            }
            // The rows stay in flight and are tried again at the next start.
            Err(e) => tracing::error!(error = %e, "recording delivery results failed"),
        }
        shared.in_flight.fetch_sub(count, Ordering::Relaxed);
        shared.recorded.notify_one();
    });
}

/// Each row's outcome, and the notices (as messages) to send.
fn outcomes(
    shared: &Shared,
    job: &Job,
    verdicts: &[Verdict],
    host: Option<String>,
    tls: Option<String>,
    peer_dsn: bool,
    message: &[u8],
) -> (Vec<AttemptResult>, Vec<Vec<u8>>) {
    let queue = &shared.config.queue;
    let now = unix_now();
    let mut results = Vec::with_capacity(job.rows.len());
    let mut failed = Vec::new();
    let mut delayed = Vec::new();
    let mut relayed = Vec::new();
    for (row, verdict) in job.rows.iter().zip(verdicts) {
        let mut delay_notified = false;
        let (outcome, reply) = match verdict {
            Verdict::Delivered(reply) => {
                // RFC 3461 §6.2.1.4: relayed to a server without DSN: we report it.
                if !peer_dsn && dsn::wanted(row.notify.as_deref(), Action::Relayed) {
                    relayed.push((row, reply.clone()));
                }
                (Outcome::Delivered, reply.clone())
            }
            Verdict::Failed(reply) => {
                if dsn::wanted(row.notify.as_deref(), Action::Failed) {
                    failed.push((row, reply.clone()));
                }
                (Outcome::Failed, reply.clone())
            }
            Verdict::Deferred(reply) => {
                match retry::next_attempt(queue, row.attempts + 1, row.created_at, now) {
                    Some(next_attempt) => {
                        if !row.delay_notified
                            && retry::delay_notice_due(queue, row.created_at, now)
                            && dsn::wanted(row.notify.as_deref(), Action::Delayed)
                        {
                            delay_notified = true;
                            delayed.push((row, reply.clone()));
                        }
                        (Outcome::Deferred { next_attempt }, reply.clone())
                    }
                    None => {
                        let reply = format!(
                            "gave up after {}; last error: {reply}",
                            config::format_duration(queue.give_up_after)
                        );
                        if dsn::wanted(row.notify.as_deref(), Action::Failed) {
                            failed.push((row, reply.clone()));
                        }
                        (Outcome::Failed, reply)
                    }
                }
            }
        };
        results.push(AttemptResult {
            id: row.id,
            outcome,
            host: host.clone(),
            tls: tls.clone(),
            reply,
            delay_notified,
        });
    }
    let mut notices = Vec::new();
    for (action, rows) in [
        (Action::Failed, failed),
        (Action::Delayed, delayed),
        (Action::Relayed, relayed),
    ] {
        if rows.is_empty() {
            continue;
        }
        let notice = dsn::Notice {
            hostname: &shared.config.hostname,
            action,
            entries: rows
                .iter()
                .map(|(row, reply)| dsn::Entry {
                    row,
                    reply,
                    remote_mta: host.as_deref(),
                })
                .collect(),
            original: message,
            retry_until: (action == Action::Delayed)
                .then(|| retry::give_up_at(queue, rows[0].0.created_at)),
        };
        if let Some(built) = dsn::build(&notice) {
            notices.push(built);
        }
    }
    (results, notices)
}

/// A notice to `sender` as a delivery: into local INBOXes if the sender is ours, else a
/// queue row from `<>`. `None` for the null sender or a local address nobody has.
async fn notice_delivery(store: &Store, sender: &str, message: Vec<u8>) -> Option<Delivery> {
    if sender.is_empty() {
        return None;
    }
    let (accounts, remote) = match store.resolve(sender).await {
        Ok(Resolution::Deliver { accounts, remote }) => (accounts, remote),
        Ok(Resolution::NotLocal) => (Vec::new(), vec![sender.to_string()]),
        Ok(Resolution::Unknown) => {
            tracing::warn!(sender, "no DSN: the local sender does not exist");
            return None;
        }
        Err(e) => {
            tracing::error!(sender, error = %e, "no DSN: looking up the sender failed");
            return None;
        }
    };
    Some(Delivery {
        message,
        envelope_from: String::new(),
        envid: None,
        ret: None,
        accounts,
        junk: false,
        remote: remote
            .into_iter()
            .map(|address| RemoteRecipient {
                address,
                notify: None,
                orcpt: None,
            })
            .collect(),
        // Ours, but never signed: it may carry (a part of) an outsider's message.
        origin: Origin::Local,
        forward_sender: None,
    })
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_past_the_hop_limit_is_not_relayed() {
        let with = |n: usize| {
            let mut m = "Received: from a by b; Fri, 27 Nov 2026 10:00:00 +0000\r\n".repeat(n);
            m.push_str("Subject: x\r\n\r\nReceived: in the body\r\n");
            m.into_bytes()
        };
        assert_eq!(loop_reply(&with(30), 30), None);
        let reply = loop_reply(&with(31), 30).expect("a loop");
        assert!(reply.starts_with("554 5.4.6"), "{reply}");
    }

    #[test]
    fn a_dsn_gets_the_message_without_our_signature() {
        let prepared = Prepared {
            wire: b"DKIM-Signature: v=1\r\nFrom: a@b\r\n\r\nhi\r\n".to_vec(),
            stored_from: 21,
        };
        assert_eq!(prepared.as_received(), b"From: a@b\r\n\r\nhi\r\n");
    }
}
