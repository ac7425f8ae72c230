//! Collection from outside mailboxes (`[[collect]]`): each job's status, and "run now".

pub use connect::collect::CollectStatus;

use super::{ApiError, ApiResult};
use crate::EngineHandle;

impl EngineHandle {
    /// `GET /api/collect`: every `[[collect]]` job's status, in config order.
    pub fn collect_status(&self) -> Vec<CollectStatus> {
        self.shared.collector.status()
    }

    /// `POST /api/collect/{index}/run`: starts a run of the job now (after the one going on,
    /// if any), also of a disabled job; returns its status.
    pub fn collect_run(&self, index: usize) -> ApiResult<CollectStatus> {
        if !self.shared.collector.run_now(index) {
            return Err(ApiError::not_found(format!(
                "there is no collect job {index}"
            )));
        }
        self.collect_status()
            .into_iter()
            .nth(index)
            .ok_or_else(|| ApiError::not_found(format!("there is no collect job {index}")))
    }
}
