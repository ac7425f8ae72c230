//! `postroom.toml`: typed settings with safe defaults and validation that reports every
//! problem at once, each with the key that caused it. An unknown key is an error that names it.
//!
//! ```toml
//! hostname = "mail.example.test"
//! [listen]            # lists of "ip:port"; missing or empty = off
//! smtp = ["0.0.0.0:25"]
//! submission = ["0.0.0.0:587"]
//! submissions = ["0.0.0.0:465"]
//! pop3 = ["0.0.0.0:110"]
//! pop3s = ["0.0.0.0:995"]
//! imap = ["0.0.0.0:143"]
//! imaps = ["0.0.0.0:993"]
//! admin = ["127.0.0.1:8088"]  # the admin HTTP API; loopback only unless [tls] is set
//! [tls]               # both absent: a self-signed certificate is made on first start
//! cert = "/path/fullchain.pem"
//! key = "/path/privkey.pem"
//! [limits]
//! max_message_size = 52428800
//! ```
//!
//! Missing keys and sections take their defaults; a missing `hostname` is the system's host
//! name.
//!
//! # Layout
//! - `lib.rs`: the [`Config`] structs (every field documented), defaults, loading.
//! - `outbound.rs`: `[dns]`, `[[route]]`, `[queue]`, `[relay]` (outbound mail); validated in
//!   `validate/outbound.rs`.
//! - `ddns.rs`: `[ddns]` (mail on a dynamic-IP line), with its validation; `ddns/example.rs`
//!   its part of the annotated file.
//! - `doctor.rs`: `[doctor]` (what the connectivity doctor tests against), with its validation.
//! - `limits.rs`: `[limits]`, declared with `schema::settings!`.
//! - `filter.rs`: `[filter]` (checks on mail from the Internet), declared the same way.
//! - `schema.rs`: each setting declared once (kind, range, unit, label and doc in English and
//!   Chinese, secret, live); what the example file, validation, the API's schema, redaction
//!   and reload are derived from.
//! - `collect.rs`: `[[collect]]` (collection from ISP mailboxes); validated in
//!   `validate/collect.rs`.
//! - `etrn.rs`: `[[etrn]]` (ETRN to backup MX hosts), with its validation.
//! - `validate.rs`: walking the TOML table, collecting every [`Problem`]; its table-driven
//!   tests, one row per kind of problem, are in `validate/tests.rs`.
//! - `example.rs`: the annotated example file that `serve` writes on first start, generated
//!   from the declarations (`schema.rs`) and the config's values. The validator takes its
//!   list of known keys from the same entries.

mod collect;
mod ddns;
mod doctor;
mod etrn;
mod example;
mod filter;
mod limits;
mod outbound;
pub mod schema;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use collect::{Collect, CollectProtocol, CollectTarget, CollectTls};
pub use ddns::{Ddns, DdnsProvider, DdnsRecord};
pub use doctor::Doctor;
pub use etrn::{ETRN_INTERVAL, Etrn, EtrnTls};
pub use filter::Filter;
pub use limits::Limits;
pub use outbound::{
    Dns, EtrnClient, Network, Queue, Relay, RelayHost, Route, RouteTls, Secret, format_duration,
    parse_duration,
};

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path, e.g. `limits.max_message_size` or `listen.smtp[1]`; for a TOML syntax
    /// error, the position (`line 3, column 7`).
    pub key: String,
    /// What is wrong, in plain words.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read or written.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not valid TOML, or values are wrong; every problem is listed, one per line
    /// in the Display text (`postroom.toml: limits.max_message_size: must be ...`).
    #[error("{}", format_problems(.file, .problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

fn format_problems(file: &Path, problems: &[Problem]) -> String {
    let noun = if problems.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    let mut text = format!("{} has {} {noun}:", file.display(), problems.len());
    for problem in problems {
        text.push_str(&format!("\n  {}: {}", problem.key, problem.message));
    }
    text
}

/// The whole configuration; sessions read an immutable snapshot of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The server's name: EHLO greeting, banner, Received headers, the self-signed certificate.
    pub hostname: String,
    pub listen: Listen,
    pub tls: Tls,
    pub limits: Limits,
    /// `[dns]`: resolvers for MX lookups.
    pub dns: Dns,
    /// `[[route]]`: relay hosts per recipient domain; first match wins.
    pub routes: Vec<Route>,
    /// `[queue]`: retries, notices and limits of outbound delivery.
    pub queue: Queue,
    /// `[relay]`: networks allowed to relay without AUTH.
    pub relay: Relay,
    /// `[filter]`: the checks on mail from the Internet.
    pub filter: Filter,
    /// `[ddns]`: the public IP watcher and dynamic DNS records; off by default.
    pub ddns: Ddns,
    /// `[[collect]]`: outside POP3/IMAP mailboxes fetched on a schedule.
    pub collect: Vec<Collect>,
    /// `[[etrn]]`: backup MX hosts asked to send the mail they hold (RFC 1985).
    pub etrn: Vec<Etrn>,
    /// `[doctor]`: what the connectivity doctor tests against.
    pub doctor: Doctor,
}

/// Addresses to listen on, as lists of "ip:port". A missing or empty list turns the service off.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listen {
    /// SMTP for mail from the Internet (MX), usually port 25.
    pub smtp: Vec<SocketAddr>,
    /// Submission with STARTTLS for staff mail clients, usually port 587.
    pub submission: Vec<SocketAddr>,
    /// Submission over implicit TLS, usually port 465.
    pub submissions: Vec<SocketAddr>,
    /// POP3 with STLS, usually port 110.
    pub pop3: Vec<SocketAddr>,
    /// POP3 over implicit TLS, usually port 995.
    pub pop3s: Vec<SocketAddr>,
    /// IMAP with STARTTLS, usually port 143.
    pub imap: Vec<SocketAddr>,
    /// IMAP over implicit TLS, usually port 993.
    pub imaps: Vec<SocketAddr>,
    /// The admin HTTP API (and web admin); `127.0.0.1:8088` in a fresh install. Only
    /// loopback addresses unless `[tls]` names a certificate and key.
    pub admin: Vec<SocketAddr>,
}

impl Listen {
    /// Each service's key under `[listen]` with its addresses, in file order.
    pub fn services(&self) -> [(&'static str, &[SocketAddr]); 8] {
        [
            ("smtp", &self.smtp),
            ("submission", &self.submission),
            ("submissions", &self.submissions),
            ("pop3", &self.pop3),
            ("pop3s", &self.pop3s),
            ("imap", &self.imap),
            ("imaps", &self.imaps),
            ("admin", &self.admin),
        ]
    }
}

/// The TLS certificate. Both absent: a self-signed certificate is made on first start and kept
/// in the data directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    /// PEM file with the certificate chain (leaf first).
    pub cert: Option<PathBuf>,
    /// PEM file with the private key.
    pub key: Option<PathBuf>,
}

impl Config {
    /// Defaults for a fresh install: ports 25, 587, 465, 110, 995, 143, 993 on all addresses,
    /// the admin API on 127.0.0.1:8088, default limits.
    pub fn with_hostname(hostname: &str) -> Config {
        let any = |port| vec![SocketAddr::from(([0, 0, 0, 0], port))];
        Config {
            hostname: hostname.to_string(),
            listen: Listen {
                smtp: any(25),
                submission: any(587),
                submissions: any(465),
                pop3: any(110),
                pop3s: any(995),
                imap: any(143),
                imaps: any(993),
                admin: vec![SocketAddr::from(([127, 0, 0, 1], 8088))],
            },
            tls: Tls::default(),
            limits: Limits::default(),
            dns: Dns::default(),
            routes: Vec::new(),
            queue: Queue::default(),
            filter: Filter::default(),
            relay: Relay::default(),
            ddns: Ddns::default(),
            collect: Vec::new(),
            etrn: Vec::new(),
            doctor: Doctor::default(),
        }
    }

    /// Reads and validates a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses and validates TOML text; `file` is only used in messages.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        validate::parse(text).map_err(|problems| ConfigError::Invalid {
            file: file.to_path_buf(),
            problems,
        })
    }

    /// The annotated example file for this configuration: every key with its doc comment.
    pub fn to_annotated_toml(&self) -> String {
        example::annotated(self)
    }
}

/// The host name of this machine, used when `hostname` is not set; "localhost" when it cannot
/// be read or is not a valid domain name.
pub fn system_hostname() -> String {
    ["/etc/hostname", "/proc/sys/kernel/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| text.trim().to_string())
        .find(|name| validate::domain_problem(name).is_none())
        .unwrap_or_else(|| "localhost".to_string())
}

/// `text` parsed as `t.toml`, the problems as their display text (for tests).
#[cfg(test)]
pub(crate) fn parse_for_test(text: &str) -> Result<Config, String> {
    Config::parse(text, Path::new("t.toml")).map_err(|e| e.to_string())
}

/// Asserts that the problems' text `err` names every one of `keys` and never shows `secret`.
#[cfg(test)]
pub(crate) fn assert_problems_name(err: &str, keys: &[&str], secret: &str) {
    for key in keys {
        assert!(err.contains(key), "{key} missing in:\n{err}");
    }
    assert!(!err.contains(secret), "{err}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_display_lists_every_problem_under_a_count() {
        let err = ConfigError::Invalid {
            file: PathBuf::from("postroom.toml"),
            problems: vec![
                Problem {
                    key: "a".into(),
                    message: "one".into(),
                },
                Problem {
                    key: "b.c".into(),
                    message: "two".into(),
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "postroom.toml has 2 problems:\n  a: one\n  b.c: two"
        );
    }

    #[test]
    fn a_single_problem_is_singular() {
        let err = ConfigError::Invalid {
            file: PathBuf::from("p.toml"),
            problems: vec![Problem {
                key: "a".into(),
                message: "one".into(),
            }],
        };
        assert_eq!(err.to_string(), "p.toml has 1 problem:\n  a: one");
    }

    #[test]
    fn load_of_a_missing_file_names_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nope.toml");
        let err = Config::load(&path).expect_err("missing file");
        assert!(err.to_string().contains("nope.toml"), "{err}");
    }

    #[test]
    fn load_reads_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("postroom.toml");
        std::fs::write(&path, "hostname = \"mx.example.test\"\n").expect("write");
        let config = Config::load(&path).expect("valid");
        assert_eq!(config.hostname, "mx.example.test");
    }

    #[test]
    fn system_hostname_is_a_valid_domain() {
        assert!(validate::domain_problem(&system_hostname()).is_none());
    }
}
