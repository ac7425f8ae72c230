//! Greylisting (RFC 6647): the first message of an unknown (client network, sender, recipient)
//! triplet gets a temporary refusal; a retry after the delay passes, and the triplet is then
//! known. Off by default.
//!
//! (Being written in helper branch h/trustgate.)

use std::net::IpAddr;

use crate::Trust;

/// The greylisting answer for one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greylisting {
    Pass,
    /// `451 4.7.1`: try again in this many seconds.
    Defer {
        retry_in_secs: u64,
    },
}

impl Trust {
    pub async fn greylist(
        &self,
        _config: &config::Filter,
        _ip: IpAddr,
        _mail_from: &str,
        _rcpt: &str,
    ) -> Greylisting {
        Greylisting::Pass
    }
}
