//! Mail on a dynamic-IP office line: the public IP watcher, dynamic DNS updaters,
//! collection from outside POP3/IMAP mailboxes, ETRN and the connectivity doctor. Each
//! part exists because the server's address changes or its port 25 may be out of reach:
//! keep the name pointing at the address, fetch the mail that could not arrive, and tell
//! the user what the line can and cannot do.
//!
//! # Layout
//! - `ip/`: finding the public IPv4/IPv6 address through HTTP IP-echo endpoints.
//! - `ddns/`: dynamic DNS updaters (dyndns2, Cloudflare, DNSPod, Alibaba Cloud DNS).
//! - `collect/`: collection from ISP mailboxes over POP3 and IMAP.
//! - `etrn/`: ETRN (RFC 1985) to backup MX hosts at start, on an interval, on IP
//!   changes, live-updated entries.
//! - `error_kind.rs`: [`ErrorKind`], the machine-readable kind of a job's, record's or
//!   entry's last error, which the panel words in the reader's language.
//! - `job_list.rs`: a list of configured items (jobs, entries) replaced live, unchanged ones kept.
//! - `doctor/`: the connectivity doctor: port 25, public IP, PTR, MX, blocklists, smart host.

pub mod collect;
pub mod ddns;
pub mod doctor;
mod error_kind;
pub mod etrn;
pub mod ip;
mod job_list;

pub use error_kind::ErrorKind;

/// The `User-Agent` of outgoing HTTP requests (the dyndns2 protocol requires a real one).
pub(crate) const USER_AGENT: &str = concat!("Postroom/", env!("CARGO_PKG_VERSION"));

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The start of a peer's answer, on one line, for an error message.
pub(crate) fn snippet(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line,
    }
}

/// A failed HTTP request in words ("timed out: ..."), without its URL, which may carry a
/// signed query or an account name.
pub(crate) fn http_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{kind}: {}", ErrorChain(e))
        .chars()
        .take(300)
        .collect()
}

/// An error with its sources, minus the URL.
struct ErrorChain<'a>(&'a reqwest::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut source = std::error::Error::source(self.0);
        let mut first = true;
        while let Some(e) = source {
            if !first {
                f.write_str(": ")?;
            }
            write!(f, "{e}")?;
            first = false;
            source = e.source();
        }
        if first {
            f.write_str("no details")?;
        }
        Ok(())
    }
}
