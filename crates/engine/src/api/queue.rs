//! The outbound queue: what waits to go out, each entry's attempts, and control over it.

use serde::{Deserialize, Serialize};
use store::{QueueAttempt, QueueEntry};

use super::{ApiError, ApiResult};
use crate::admin::AdminContext;

/// One queue row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QueueEntryDto {
    pub id: i64,
    /// Empty for the null sender `<>` (a DSN).
    pub sender: String,
    pub recipient: String,
    /// `queued`, `in-flight`, `deferred`, `held`, `delivered`, `failed`.
    pub state: String,
    pub attempts: u32,
    /// Unix seconds.
    pub next_attempt: i64,
    pub created_at: i64,
    pub size: i64,
    pub last_reply: Option<String>,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AttemptDto {
    pub at: i64,
    pub host: Option<String>,
    pub tls: Option<String>,
    /// `delivered`, `deferred` or `failed`.
    pub outcome: String,
    pub reply: String,
}

/// `GET /api/queue/{id}`: the entry and its timeline.
#[derive(Debug, Clone, Serialize)]
pub struct QueueDetail {
    pub entry: QueueEntryDto,
    pub attempts: Vec<AttemptDto>,
}

/// `GET /api/queue?state=...`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueFilter {
    /// One state, or `all` (finished entries too); absent: every unfinished entry.
    #[serde(default)]
    pub state: Option<String>,
}

const STATES: &[&str] = &[
    "queued",
    "in-flight",
    "deferred",
    "held",
    "delivered",
    "failed",
];

fn entry(e: QueueEntry) -> QueueEntryDto {
    QueueEntryDto {
        id: e.id,
        sender: e.sender,
        recipient: e.recipient,
        state: e.state.as_str().to_string(),
        attempts: e.attempts,
        next_attempt: e.next_attempt,
        created_at: e.created_at,
        size: e.size,
        last_reply: e.last_reply,
    }
}

fn attempt(a: QueueAttempt) -> AttemptDto {
    AttemptDto {
        at: a.at,
        host: a.host,
        tls: a.tls,
        outcome: a.outcome,
        reply: a.reply,
    }
}

impl AdminContext {
    pub async fn queue(&self, filter: QueueFilter) -> ApiResult<Vec<QueueEntryDto>> {
        let state = filter.state.filter(|s| !s.is_empty());
        if let Some(s) = &state
            && s != "all"
            && !STATES.contains(&s.as_str())
        {
            return Err(ApiError::invalid(
                "state",
                format!("unknown state {s}; one of all, {}", STATES.join(", ")),
            ));
        }
        let all = state.is_some();
        let entries = self.store().queue_list(all).await?;
        Ok(entries
            .into_iter()
            .filter(|e| match state.as_deref() {
                None | Some("all") => true,
                Some(s) => e.state.as_str() == s,
            })
            .map(entry)
            .collect())
    }

    pub async fn queue_entry(&self, id: i64) -> ApiResult<QueueDetail> {
        let (e, attempts) = self.store().queue_show(id).await?;
        Ok(QueueDetail {
            entry: entry(e),
            attempts: attempts.into_iter().map(attempt).collect(),
        })
    }

    /// Try now; `None`: every queued and deferred entry. Returns how many are due now.
    pub async fn queue_retry(&self, id: Option<i64>) -> ApiResult<usize> {
        Ok(self.store().queue_retry(id).await?)
    }

    pub async fn queue_delete(&self, id: i64) -> ApiResult<()> {
        Ok(self.store().queue_delete(id).await?)
    }

    pub async fn queue_hold(&self, id: i64) -> ApiResult<()> {
        Ok(self.store().queue_hold(id).await?)
    }

    pub async fn queue_release(&self, id: i64) -> ApiResult<()> {
        Ok(self.store().queue_release(id).await?)
    }
}
