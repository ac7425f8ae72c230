//! `status`: is the server up, on which addresses, and what traffic it has seen.

use serde::{Deserialize, Serialize};
use store::QueueState;

use super::{ApiError, ApiResult};
use crate::EngineHandle;
use crate::journal::{Counters, HourCounters, journal};

/// One listening address.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ListenerStatus {
    /// `smtp`, `submission`, `imap`, `admin`...
    pub service: String,
    pub address: String,
    pub up: bool,
    /// Why it is down, in plain words ("port 25 is in use").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How many outbound queue entries are in each unfinished state, and those that failed.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct QueueCounts {
    /// Due now or being sent.
    pub queued: u64,
    /// Waiting for their next attempt.
    pub deferred: u64,
    /// Held by the administrator.
    pub held: u64,
    /// Given up on (kept for `queue.keep_finished`).
    pub failed: u64,
}

/// `GET /api/status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub version: String,
    /// Unix seconds when the engine started.
    pub started_at: i64,
    pub uptime_secs: u64,
    /// Every configured address; those that could not be bound have `up: false`.
    pub listeners: Vec<ListenerStatus>,
    /// SMTP answers 421 to new connections while this is true.
    pub receiving_paused: bool,
    pub queue: QueueCounts,
    /// Since the process started.
    pub counters: Counters,
    /// The last 24 hours, oldest first.
    pub history: Vec<HourCounters>,
}

/// `PUT /api/receiving`: the request and the answer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Receiving {
    pub paused: bool,
}

/// In the data directory while receiving is paused: an office that paused receiving (to move
/// the server, say) does not take mail again by surprise after a restart or a reboot.
pub(crate) const PAUSED_FILE: &str = "receiving-paused";

/// Whether receiving was paused when the engine last stopped.
pub(crate) fn paused_at_start(data_dir: &std::path::Path) -> bool {
    data_dir.join(PAUSED_FILE).exists()
}

impl EngineHandle {
    pub async fn status(&self) -> ApiResult<Status> {
        let journal = journal();
        let mut queue = QueueCounts::default();
        for entry in self.store().queue_list(true).await? {
            match entry.state {
                QueueState::Queued | QueueState::InFlight => queue.queued += 1,
                QueueState::Deferred => queue.deferred += 1,
                QueueState::Held => queue.held += 1,
                QueueState::Failed => queue.failed += 1,
                QueueState::Delivered => {}
            }
        }
        Ok(Status {
            version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: self.shared.started_at,
            uptime_secs: self.shared.started.elapsed().as_secs(),
            listeners: self.listener_status(),
            receiving_paused: self.receiving_paused(),
            queue,
            counters: journal.totals(),
            history: journal.history(),
        })
    }

    /// Whether SMTP turns new connections away with 421.
    pub fn receiving_paused(&self) -> bool {
        self.shared.runtime.paused()
    }

    /// Pauses or resumes receiving on every SMTP listener (25, 587, 465): while paused, new
    /// connections get `421 4.3.2 Service paused` (RFC 5321 §3.8) and senders retry later;
    /// sessions already running go on. Kept across restarts (see [`PAUSED_FILE`]).
    pub async fn set_receiving_paused(&self, paused: bool) -> ApiResult<Receiving> {
        let marker = self.data_dir().join(PAUSED_FILE);
        let kept = if paused {
            files::write_atomic(&marker, b"paused from the control panel\n")
        } else {
            std::fs::remove_file(&marker).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
        };
        kept.map_err(|e| ApiError::internal(format!("cannot save the pause: {e}")))?;
        self.shared.runtime.set_paused(paused);
        if paused {
            tracing::warn!("receiving paused: SMTP answers 421 until resumed");
        } else {
            tracing::info!("receiving resumed");
        }
        Ok(Receiving { paused })
    }
}
