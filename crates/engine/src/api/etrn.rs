//! ETRN (`[[etrn]]`, RFC 1985): each backup MX's last run and what it answered per domain;
//! adding, editing and removing entries (applied live) and "run now".

pub use dynip::etrn::{DomainStatus, EtrnStatus};

use super::ApiResult;
use super::table_entries::{EntryList, ran};
use crate::EngineHandle;

pub(super) const WHAT: &str = "ETRN entry";

impl EngineHandle {
    /// `GET /api/etrn`: every `[[etrn]]` entry in config order: host, port, tls, the last
    /// run's time and trigger, its error if it did not reach ETRN (with its `error_kind`, a
    /// `dynip::ErrorKind`), each domain's result, and
    /// when the next run on the interval is due.
    pub fn etrn_status(&self) -> Vec<EtrnStatus> {
        self.shared.etrn.status()
    }

    /// `POST /api/etrn/{index}/run`: asks the backup MX now (after the session going on, if
    /// any); returns the entry's status.
    pub fn etrn_run(&self, index: usize) -> ApiResult<EtrnStatus> {
        let started = self.shared.etrn.run_now(index);
        ran(EntryList::Etrn, index, started, self.etrn_status())
    }
}
