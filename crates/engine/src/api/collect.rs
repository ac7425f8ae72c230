//! Collection from outside mailboxes (`[[collect]]`): each job's status, "run now", and
//! adding, editing and removing jobs (applied live: unchanged jobs keep their state).

pub use connect::collect::CollectStatus;
use serde_json::Value as Json;

use super::settings::Settings;
use super::table_entries::EntryEdit;
use super::{ApiError, ApiResult};
use crate::EngineHandle;

const WHAT: &str = "collect job";

impl EngineHandle {
    /// `GET /api/collect`: every `[[collect]]` job's status, in config order; a failed run
    /// has `last_error` (English words) and `last_error_kind` (`connect::ErrorKind`).
    pub fn collect_status(&self) -> Vec<CollectStatus> {
        self.shared.collector.status()
    }

    /// `POST /api/collect/{index}/run`: starts a run of the job now (after the one going on,
    /// if any), also of a disabled job; returns its status.
    pub fn collect_run(&self, index: usize) -> ApiResult<CollectStatus> {
        let missing = || ApiError::not_found(format!("there is no {WHAT} {index}"));
        if !self.shared.collector.run_now(index) {
            return Err(missing());
        }
        self.collect_status()
            .into_iter()
            .nth(index)
            .ok_or_else(missing)
    }

    /// `POST /api/collect`: adds a job (the keys of a `[[collect]]` table); an enabled job
    /// runs at once.
    pub async fn collect_add(&self, job: Json) -> ApiResult<Settings> {
        self.edit_table_entry("collect", WHAT, EntryEdit::Add(job))
            .await
    }

    /// `PUT /api/collect/{index}`: replaces job `index` (`password = "********"` keeps the
    /// stored one).
    pub async fn collect_change(&self, index: usize, job: Json) -> ApiResult<Settings> {
        self.edit_table_entry("collect", WHAT, EntryEdit::Replace(index, job))
            .await
    }

    /// `DELETE /api/collect/{index}`: the job stops (a run in progress is dropped between
    /// commits).
    pub async fn collect_remove(&self, index: usize) -> ApiResult<Settings> {
        self.edit_table_entry("collect", WHAT, EntryEdit::Remove(index))
            .await
    }
}
