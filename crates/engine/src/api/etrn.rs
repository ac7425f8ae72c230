//! ETRN (`[[etrn]]`, RFC 1985): each backup MX's last run and what it answered per domain.

pub use connect::etrn::{DomainStatus, EtrnStatus};

use crate::EngineHandle;

impl EngineHandle {
    /// `GET /api/etrn`: every `[[etrn]]` entry in config order: host, port, tls, the last
    /// run's time and trigger, its error if it did not reach ETRN, and each domain's result.
    pub fn etrn_status(&self) -> Vec<EtrnStatus> {
        self.shared.etrn.status()
    }
}
