//! `status`: is the server up, on which addresses, and what traffic it has seen.

use serde::Serialize;

use super::ApiResult;
use crate::EngineHandle;
use crate::journal::{Counters, HourCounters, journal};

/// One listening address.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ListenerStatus {
    /// `smtp`, `submission`, `imap`, `admin`...
    pub service: String,
    pub address: String,
    pub up: bool,
    /// Why it is down, in plain words ("port 25 is in use").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub version: String,
    /// Unix seconds when the engine started.
    pub started_at: i64,
    pub uptime_secs: u64,
    pub listeners: Vec<ListenerStatus>,
    /// Since the process started.
    pub counters: Counters,
    /// The last 24 hours, oldest first.
    pub history: Vec<HourCounters>,
}

impl EngineHandle {
    pub async fn status(&self) -> ApiResult<Status> {
        let journal = journal();
        Ok(Status {
            version: env!("CARGO_PKG_VERSION").to_string(),
            started_at: self.shared.started_at,
            uptime_secs: self.shared.started.elapsed().as_secs(),
            // The engine starts only when every listener is bound, so each one is up.
            listeners: self
                .listeners()
                .iter()
                .map(|(service, addr)| ListenerStatus {
                    service: service.to_string(),
                    address: addr.to_string(),
                    up: true,
                    error: None,
                })
                .collect(),
            counters: journal.totals(),
            history: journal.history(),
        })
    }
}
