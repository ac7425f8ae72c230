//! Collection from outside mailboxes (`[[collect]]`): each job's status, "run now", and
//! adding, editing and removing jobs (applied live: unchanged jobs keep their state).

pub use dynip::collect::CollectStatus;

use super::ApiResult;
use super::table_entries::{EntryList, ran};
use crate::EngineHandle;

pub(super) const WHAT: &str = "collect job";

impl EngineHandle {
    /// `GET /api/collect`: every `[[collect]]` job's status, in config order; a failed run
    /// has `last_error` (English words) and `last_error_kind` (`dynip::ErrorKind`).
    pub fn collect_status(&self) -> Vec<CollectStatus> {
        self.shared.collector.status()
    }

    /// `POST /api/collect/{index}/run`: starts a run of the job now (after the one going on,
    /// if any), also of a disabled job; returns its status.
    pub fn collect_run(&self, index: usize) -> ApiResult<CollectStatus> {
        let started = self.shared.collector.run_now(index);
        ran(EntryList::Collect, index, started, self.collect_status())
    }
}
