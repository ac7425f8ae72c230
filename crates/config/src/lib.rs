//! `postroom.toml`: typed settings with safe defaults and validation that reports every
//! problem at once, each with the key that caused it. An unknown key is an error that names it.
//!
//! # Layout
//! - `lib.rs`: the [`Config`] structs (every field documented), defaults, loading.
//! - `validate.rs`: walking the TOML table, collecting every [`Problem`].
//! - `example.rs`: the annotated example file, generated from the field docs, that `serve`
//!   writes on first start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path, e.g. `limits.max_message_size` or `listen.smtp[1]`.
    pub key: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read or written.
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The file is not valid TOML, or values are wrong; every problem is listed, one per line
    /// in the Display text (`postroom.toml: limits.max_message_size: must be ...`).
    #[error("{}", format_problems(.file, .problems))]
    Invalid { file: PathBuf, problems: Vec<Problem> },
}

fn format_problems(file: &Path, problems: &[Problem]) -> String {
    todo!()
}

/// The whole configuration; sessions read an immutable snapshot of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The server's name: EHLO greeting, banner, Received headers, the self-signed certificate.
    pub hostname: String,
    pub listen: Listen,
    pub tls: Tls,
    pub limits: Limits,
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

/// Limits that protect the server from bad or hostile clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted, in bytes (SIZE); default 50 MiB.
    pub max_message_size: u64,
    /// Most recipients in one message; default 1000.
    pub max_recipients: usize,
    /// Longest command line, in bytes; default 4096 (RFC 5321 §4.5.3.1.4 asks for at least 512).
    pub max_line_length: usize,
    /// Seconds to wait for the next command; default 300 (RFC 5321 §4.5.3.2.7).
    pub command_timeout_secs: u64,
    /// Seconds to wait for more message data; default 180 (RFC 5321 §4.5.3.2.6 uses 10 min for
    /// the final dot; we bound each read).
    pub data_timeout_secs: u64,
    /// Errors (bad commands, failed AUTH, refused recipients) before the session is closed;
    /// default 20.
    pub max_errors: u32,
    /// Simultaneous connections from one IP address; default 20.
    pub max_connections_per_ip: usize,
    /// Simultaneous connections in all; default 1000.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        todo!()
    }
}

impl Config {
    /// Defaults for a fresh install: ports 25, 587, 465 on all addresses, default limits.
    pub fn with_hostname(hostname: &str) -> Config {
        todo!()
    }

    /// Reads and validates a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        todo!()
    }

    /// Parses and validates TOML text; `file` is only used in messages.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        todo!()
    }

    /// The annotated example file for this configuration: every key with its doc comment.
    pub fn to_annotated_toml(&self) -> String {
        todo!()
    }
}
