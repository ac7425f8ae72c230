//! The live log and the event stream: recent log entries, and a subscription that merges new
//! log entries, the typed traffic events (`event::Event`: accepted, rejected, login failed,
//! delivered...) and the store's change notifications (sent after each durable commit).

use serde::{Deserialize, Serialize};
use store::Change;
use tokio::sync::broadcast::error::RecvError;

use super::ApiResult;
use crate::EngineHandle;
use crate::journal::{LogEntry, Traffic, journal};

/// `GET /api/log?after=SEQ&limit=N`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogQuery {
    /// Only entries with a larger `seq`.
    #[serde(default)]
    pub after: Option<u64>,
    /// At most this many (the newest); default 200.
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Something that happened, for a live view.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A log entry (INFO and above): text for people, never parsed.
    Log(LogEntry),
    /// A typed event: what a session or the queue did, with its `kind` and data.
    Traffic(Traffic),
    /// A durable change in the store.
    Change(ChangeDto),
    /// The subscriber fell behind and missed this many events; reload what you show.
    Lagged { missed: u64 },
}

/// A store change, as the UI sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeDto {
    /// A message arrived in a mailbox.
    MessageAdded {
        account: i64,
        mailbox: i64,
        uid: u32,
    },
    MessagesExpunged {
        account: i64,
        mailbox: i64,
        uids: Vec<u32>,
    },
    FlagsChanged {
        account: i64,
        mailbox: i64,
        uids: Vec<u32>,
    },
    QueueAdded {
        ids: Vec<i64>,
    },
    QueueUpdated {
        ids: Vec<i64>,
    },
    /// A kind of change this version does not describe.
    Other,
}

impl From<Change> for ChangeDto {
    fn from(change: Change) -> ChangeDto {
        match change {
            Change::MessageAdded {
                account,
                mailbox,
                uid,
                ..
            } => ChangeDto::MessageAdded {
                account,
                mailbox,
                uid,
            },
            Change::MessagesExpunged {
                account,
                mailbox,
                uids,
                ..
            } => ChangeDto::MessagesExpunged {
                account,
                mailbox,
                uids,
            },
            Change::FlagsChanged {
                account,
                mailbox,
                uids,
                ..
            } => ChangeDto::FlagsChanged {
                account,
                mailbox,
                uids,
            },
            Change::QueueAdded { ids } => ChangeDto::QueueAdded { ids },
            Change::QueueUpdated { ids } => ChangeDto::QueueUpdated { ids },
            _ => ChangeDto::Other,
        }
    }
}

/// A subscription to [`Event`]s; see [`EngineHandle::subscribe`].
pub struct Events {
    log: tokio::sync::broadcast::Receiver<LogEntry>,
    traffic: tokio::sync::broadcast::Receiver<Traffic>,
    changes: tokio::sync::broadcast::Receiver<Change>,
}

impl Events {
    /// The next event; `None` once the engine is gone.
    pub async fn next(&mut self) -> Option<Event> {
        let lagged = |n| Some(Event::Lagged { missed: n });
        tokio::select! {
            entry = self.log.recv() => match entry {
                Ok(entry) => Some(Event::Log(entry)),
                Err(RecvError::Lagged(n)) => lagged(n),
                Err(RecvError::Closed) => None,
            },
            traffic = self.traffic.recv() => match traffic {
                Ok(traffic) => Some(Event::Traffic(traffic)),
                Err(RecvError::Lagged(n)) => lagged(n),
                Err(RecvError::Closed) => None,
            },
            change = self.changes.recv() => match change {
                Ok(change) => Some(Event::Change(change.into())),
                Err(RecvError::Lagged(n)) => lagged(n),
                Err(RecvError::Closed) => None,
            },
        }
    }
}

impl EngineHandle {
    /// Recent log entries, oldest first.
    pub async fn log(&self, query: LogQuery) -> ApiResult<Vec<LogEntry>> {
        Ok(journal().recent(
            query.after.unwrap_or(0),
            query.limit.unwrap_or(200).min(1000),
        ))
    }

    /// Every log entry, typed event and store change from now on.
    pub fn subscribe(&self) -> Events {
        Events {
            log: journal().subscribe(),
            traffic: journal().subscribe_traffic(),
            changes: self.store().subscribe(),
        }
    }
}
