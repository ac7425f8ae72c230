//! Dynamic DNS (`[ddns]`): the public addresses the watcher sees and each record's state.

pub use dynip::ddns::{DdnsStatus, RecordStatus};

use crate::EngineHandle;

impl EngineHandle {
    /// `GET /api/ddns`: whether dynamic DNS is on, the public IPv4/IPv6 addresses last seen,
    /// and every `[[ddns.record]]`'s last update, result, error (with its `last_error_kind`,
    /// a `dynip::ErrorKind`) and next run, in config order.
    pub fn ddns_status(&self) -> DdnsStatus {
        self.shared.ddns.status()
    }
}
