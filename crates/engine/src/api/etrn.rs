//! ETRN (`[[etrn]]`, RFC 1985): each backup MX's last run and what it answered per domain;
//! adding, editing and removing entries (applied live) and "run now".

pub use connect::etrn::{DomainStatus, EtrnStatus};
use serde_json::Value as Json;

use super::settings::Settings;
use super::table_entries::EntryEdit;
use super::{ApiError, ApiResult};
use crate::EngineHandle;

const WHAT: &str = "ETRN entry";

impl EngineHandle {
    /// `GET /api/etrn`: every `[[etrn]]` entry in config order: host, port, tls, the last
    /// run's time and trigger, its error if it did not reach ETRN (with its `error_kind`, a
    /// `connect::ErrorKind`), each domain's result, and
    /// when the next run on the interval is due.
    pub fn etrn_status(&self) -> Vec<EtrnStatus> {
        self.shared.etrn.status()
    }

    /// `POST /api/etrn`: adds an entry (`host`, `port`, `domains`, `tls`, `interval`, as in
    /// `postroom.toml`); it runs at once.
    pub async fn etrn_add(&self, entry: Json) -> ApiResult<Settings> {
        self.edit_table_entry("etrn", WHAT, EntryEdit::Add(entry))
            .await
    }

    /// `PUT /api/etrn/{index}`: replaces entry `index`; the edited entry runs at once.
    pub async fn etrn_change(&self, index: usize, entry: Json) -> ApiResult<Settings> {
        self.edit_table_entry("etrn", WHAT, EntryEdit::Replace(index, entry))
            .await
    }

    /// `DELETE /api/etrn/{index}`.
    pub async fn etrn_remove(&self, index: usize) -> ApiResult<Settings> {
        self.edit_table_entry("etrn", WHAT, EntryEdit::Remove(index))
            .await
    }

    /// `POST /api/etrn/{index}/run`: asks the backup MX now (after the session going on, if
    /// any); returns the entry's status.
    pub fn etrn_run(&self, index: usize) -> ApiResult<EtrnStatus> {
        let missing = || ApiError::not_found(format!("there is no {WHAT} {index}"));
        if !self.shared.etrn.run_now(index) {
            return Err(missing());
        }
        self.etrn_status()
            .into_iter()
            .nth(index)
            .ok_or_else(missing)
    }
}
