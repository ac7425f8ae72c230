//! Connection-time inputs: DNS blocklists and allowlists with weights (Spamhaus's 127.255.255.x
//! "refused" answers are not listings), forward-confirmed reverse DNS and the HELO name, as
//! score inputs, never hard refusals. The lookups start when the client connects and run while
//! it talks; the end of DATA collects them within the message's DNS budget.
//!
//! (Being written in helper branch h/trustgate.)

use std::net::IpAddr;
use std::time::Instant;

use crate::{Reason, Trust};

/// Lookups started for one client.
#[derive(Debug, Default)]
pub struct PeerCheck {
    reasons: Vec<Reason>,
}

impl Trust {
    /// Starts the lookups for the client at `ip`.
    pub fn check_peer(&self, _config: &config::Filter, _ip: IpAddr) -> PeerCheck {
        PeerCheck::default()
    }
}

impl PeerCheck {
    /// The findings, with the HELO name the client gave; lookups not finished by `deadline`
    /// are recorded as such, with no score. Called for each message of the session.
    pub async fn reasons(&mut self, _helo: Option<&str>, _deadline: Instant) -> Vec<Reason> {
        self.reasons.clone()
    }
}
