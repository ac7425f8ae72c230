//! ETRN (RFC 1985): asks each `[[etrn]]` backup MX to send the mail it queued for our
//! domains while this line was down: at start, every entry's `interval`, whenever the
//! public IP watcher (`[ddns]`) sees the address change, when the entry is added or edited
//! while running, and on "run now". The session itself is `queue::etrn`.
//!
//! # Layout
//! - `mod.rs`: the status the admin API shows and the meaning of the reply codes (§5).
//! - `runner.rs`: [`EtrnClient`]: one loop per entry, updated live by a reload.

mod runner;

use queue::etrn::EtrnFailure;
pub use runner::EtrnClient;
use serde::Serialize;

use crate::ErrorKind;
use crate::ip::PublicIp;

/// One `[[etrn]]` entry's last run.
#[derive(Debug, Clone, Serialize)]
pub struct EtrnStatus {
    /// The entry's position among the `[[etrn]]` tables, from 0.
    pub index: usize,
    pub host: String,
    pub port: u16,
    /// "starttls" or "none".
    pub tls: &'static str,
    /// Unix seconds of the last run.
    pub last_run: Option<i64>,
    /// What started it: "start", "interval", "ip_change", "settings" (added or edited
    /// while running) or "manual" (run now).
    pub trigger: Option<&'static str>,
    /// A session is going on now.
    pub running: bool,
    /// When the next run on the interval is due (unix seconds); `None` before the first.
    pub next_run: Option<i64>,
    /// Why the last run did not get as far as ETRN (connection, TLS, not advertised).
    pub error: Option<String>,
    /// The kind of `error` (`"connection_refused"`, `"not_advertised"`, ...), for a
    /// translated sentence in the panel.
    pub error_kind: Option<ErrorKind>,
    /// Each domain's answer in the last run that reached ETRN.
    pub domains: Vec<DomainStatus>,
}

/// One domain's answer.
#[derive(Debug, Clone, Serialize)]
pub struct DomainStatus {
    pub domain: String,
    /// "started" (250, 252, 253), "nothing_queued" (251), "refused" (458, 459),
    /// "unsupported" (500, 501, 502) or "failed" (any other code); `None` before a run.
    pub result: Option<&'static str>,
    /// The server's reply on one line.
    pub reply: Option<String>,
}

/// RFC 1985 §5: what an `ETRN domain` reply code means.
pub fn classify(code: u16) -> &'static str {
    match code {
        250 | 252 | 253 => "started",
        251 => "nothing_queued",
        458 | 459 => "refused",
        500..=502 => "unsupported",
        _ => "failed",
    }
}

/// The kind of a session that did not get as far as ETRN. The session's errors reach us as
/// words (`queue::etrn`): a reply code first is the server refusing (a 554 greeting, a 5xx
/// to EHLO), the rest is sorted by the OS's and resolver's words.
pub(crate) fn failure_kind(failure: &EtrnFailure) -> ErrorKind {
    match failure {
        EtrnFailure::NotAdvertised => ErrorKind::NotAdvertised,
        EtrnFailure::Connect(why) => {
            let bytes = why.as_bytes();
            let reply = bytes.len() >= 3
                && bytes[..3].iter().all(u8::is_ascii_digit)
                && matches!(bytes.get(3), None | Some(b' ' | b'-'));
            if reply {
                ErrorKind::ServerRefused
            } else {
                ErrorKind::from_text(why)
            }
        }
    }
}

/// Whether a known address changed. A family's first address is no change: the run at
/// start covered it, and the watcher finds the addresses only after the engine started.
pub(crate) fn moved(before: PublicIp, now: PublicIp) -> bool {
    (before.v4.is_some() && now.v4 != before.v4) || (before.v6.is_some() && now.v6 != before.v6)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::{ErrorKind, EtrnFailure, PublicIp, classify, failure_kind, moved};

    #[test]
    fn only_a_known_address_that_changes_is_a_move() {
        let ip = |last: u8| PublicIp {
            v4: Some(Ipv4Addr::new(81, 2, 69, last)),
            v6: None,
        };
        assert!(!moved(PublicIp::default(), ip(1)));
        assert!(!moved(ip(1), ip(1)));
        assert!(moved(ip(1), ip(2)));
    }

    #[test]
    fn failures_have_their_kind() {
        let connect = |why: &str| failure_kind(&EtrnFailure::Connect(why.to_string()));
        assert_eq!(
            failure_kind(&EtrnFailure::NotAdvertised),
            ErrorKind::NotAdvertised
        );
        for (why, kind) in [
            (
                "cannot connect: Connection refused (os error 111)",
                ErrorKind::ConnectionRefused,
            ),
            ("the host name has no address", ErrorKind::HostNotFound),
            ("DNS is not set up", ErrorKind::HostNotFound),
            ("timed out waiting for the greeting", ErrorKind::Timeout),
            ("554 5.7.1 go away", ErrorKind::ServerRefused),
            ("421", ErrorKind::ServerRefused),
            (
                "the relay does not offer STARTTLS, which this route requires",
                ErrorKind::Tls,
            ),
            (
                "connection lost: Connection reset by peer (os error 104)",
                ErrorKind::ConnectionLost,
            ),
        ] {
            assert_eq!(connect(why), kind, "{why}");
        }
    }

    #[test]
    fn reply_codes_follow_rfc_1985_section_5() {
        for (code, meaning) in [
            (250, "started"),
            (251, "nothing_queued"),
            (252, "started"),
            (253, "started"),
            (458, "refused"),
            (459, "refused"),
            (500, "unsupported"),
            (501, "unsupported"),
            (502, "unsupported"),
            (421, "failed"),
            (554, "failed"),
        ] {
            assert_eq!(classify(code), meaning, "{code}");
        }
    }
}
