//! Collection from outside mailboxes (`[[collect]]`): per job, on a schedule, the
//! mail of a POP3 or IMAP mailbox (at the ISP, typically) is fetched into a local account's
//! INBOX through the store's normal delivery, each message exactly once, and left on the
//! server for `keep_days` or deleted after download.
//!
//! # Layout
//! - `mod.rs`: [`CollectError`], the remote message handle (and a job for unit tests).
//! - `schedule.rs`: [`Collector`]: one loop per job (interval, "run now", shutdown) and the
//!   per-job [`CollectStatus`].
//! - `run.rs`: one run: list, fetch the new, deliver + record in one commit, then delete.
//!   The exactly-once argument, the UIDVALIDITY policy and the content fingerprint that
//!   keeps a message under a new remote id from being delivered again are written down there.
//! - `sort.rs`: who gets a message (one account, or a domain mailbox sorted by
//!   Delivered-To / X-Original-To / To / Cc), and the trace headers added.
//! - `conn.rs`: TCP, TLS (implicit or upgraded; verified, with an optional private CA),
//!   lines and counted reads with timeouts.
//! - `pop3.rs`: the POP3 client (RFC 1939, STLS of RFC 2595).
//! - `imap/`: the IMAP client (RFC 9051) and its response reader with literals.

mod conn;
mod imap;
mod pop3;
mod run;
mod schedule;
mod sort;

pub use schedule::{CollectStatus, Collector};

use crate::ErrorKind;

/// Why a run failed. The `Display` text is one plain sentence for the status and the log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The network failed or the server hung up; the kind is taken from the
    /// [`std::io::Error`] where there is one.
    #[error("{0}")]
    Io(String, ErrorKind),
    /// The server took too long.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// TLS could not be set up, or the certificate did not verify.
    #[error("{0}")]
    Tls(String),
    /// The server refused the login (the answer is quoted; the password never is).
    #[error("the server refused the login: {0}")]
    Login(String),
    /// The server refused a command (`-ERR`, `NO`, `BAD`), quoted.
    #[error("the server refused: {0}")]
    Refused(String),
    /// The server does not speak the protocol as expected.
    #[error("{0}")]
    Protocol(String),
    /// A listed message was no longer there when it was fetched (another client removed it).
    #[error("message {0} disappeared from the server")]
    Gone(String),
    /// The job's `account` (or `fallback`) is not a local address.
    #[error("{0} is not a local account or alias; add it, or change the job's account")]
    Account(String),
    /// Messages larger than `limits.max_message_size` were left on the server.
    #[error("{0} message(s) larger than limits.max_message_size were left on the server")]
    TooLarge(usize),
    /// The local store failed.
    #[error("{0}")]
    Store(#[from] store::StoreError),
}

impl CollectError {
    /// The kind of failure, for the status (`last_error_kind`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            CollectError::Io(_, kind) => *kind,
            CollectError::Timeout(_) => ErrorKind::Timeout,
            CollectError::Tls(_) => ErrorKind::Tls,
            CollectError::Login(_) => ErrorKind::Auth,
            CollectError::Refused(_) => ErrorKind::ServerRefused,
            CollectError::Protocol(_) => ErrorKind::Protocol,
            CollectError::Gone(_) => ErrorKind::Gone,
            CollectError::Account(_) => ErrorKind::Account,
            CollectError::TooLarge(_) => ErrorKind::TooLarge,
            CollectError::Store(store::StoreError::OverQuota(_)) => ErrorKind::OverQuota,
            CollectError::Store(_) => ErrorKind::Store,
        }
    }
}

/// A message on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Remote {
    /// What we record: the POP3 UIDL, or IMAP `UIDVALIDITY:UID`.
    pub id: String,
    /// What the protocol names it by in this session: POP3 message number, IMAP UID.
    pub handle: u32,
    /// Octets, as the server counts them (LIST, RFC822.SIZE).
    pub size: u64,
}

/// A POP3 job of `office` at `pop.isp.test:995` into `a@example.test`, for unit tests.
#[cfg(test)]
pub(crate) fn sample_job() -> config::Collect {
    config::Collect {
        protocol: config::CollectProtocol::Pop3,
        host: "pop.isp.test".into(),
        port: 995,
        tls: config::CollectTls::Implicit,
        ca: None,
        user: "office".into(),
        password: config::Secret("pw".into()),
        target: config::CollectTarget::Account("a@example.test".into()),
        interval: std::time::Duration::from_secs(60),
        keep_days: None,
        enabled: true,
    }
}

#[cfg(test)]
mod tests {
    use super::{CollectError, ErrorKind};

    #[test]
    fn each_error_has_its_kind() {
        let text = || "x".to_string();
        for (error, kind) in [
            (
                CollectError::Io(text(), ErrorKind::HostNotFound),
                ErrorKind::HostNotFound,
            ),
            (CollectError::Timeout("the greeting"), ErrorKind::Timeout),
            (CollectError::Tls(text()), ErrorKind::Tls),
            (CollectError::Login(text()), ErrorKind::Auth),
            (CollectError::Refused(text()), ErrorKind::ServerRefused),
            (CollectError::Protocol(text()), ErrorKind::Protocol),
            (CollectError::Gone(text()), ErrorKind::Gone),
            (CollectError::Account(text()), ErrorKind::Account),
            (CollectError::TooLarge(2), ErrorKind::TooLarge),
            (
                CollectError::Store(store::StoreError::OverQuota(text())),
                ErrorKind::OverQuota,
            ),
            (
                CollectError::Store(store::StoreError::NotFound(text())),
                ErrorKind::Store,
            ),
        ] {
            assert_eq!(error.kind(), kind, "{error:?}");
        }
    }
}
