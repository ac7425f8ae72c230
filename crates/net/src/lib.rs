//! Network plumbing shared by every protocol: listeners, TLS, connection limits, shutdown.
//!
//! This crate does not speak any mail protocol (it borrows `proto`'s line splitter): it hands each accepted connection, as a
//! [`SessionStream`], to a handler that does. TLS uses rustls with the *ring* provider, passed
//! explicitly to every config (no process-wide default provider is installed or needed).
//!
//! # Layout
//! - `listener.rs`: binding (with plain errors such as "port 25 is in use") and the accept
//!   loop ([`serve`]) that applies the connection limits and implicit TLS.
//! - `stream.rs`: [`SessionStream`], plain or TLS, and the STARTTLS upgrade.
//! - `tls.rs`: rustls server config from PEM files, or a self-signed certificate made with rcgen
//!   on first start and kept in the data directory.
//! - `certs.rs`: [`LiveCert`], the certificate every listener presents, replaced while the
//!   server runs; checking a PEM pair; [`CertInfo`] for the control panel.
//! - `limit.rs`: per-IP (IPv6: per /64) and total connection limits.
//! - `budget.rs`: [`MemoryBudget`], the bytes of messages all sessions may hold in memory.
//! - `lockout.rs`: failed-login slowdown and lockout per IP and per account, shared by every
//!   protocol that takes passwords.
//! - `login.rs`: [`login::authenticate`]: when a password may be sent (TLS, or loopback),
//!   the lockout, the check, the delay; its [`login::Outcome`] is worded by each protocol.
//! - `session.rs`: [`session::Shell`], what every protocol session does with its connection:
//!   buffers, flush, reads with timeouts and shutdown, the error count, STARTTLS.
//! - `shutdown.rs`: SIGINT/SIGTERM to a cancellation token.
//! - `windows.rs`: the Winsock call behind [`SessionStream::ack_promptly`] on Windows.

mod budget;
mod certs;
mod limit;
mod listener;
mod lockout;
pub mod login;
pub mod session;
mod shutdown;
mod stream;
mod tls;
#[cfg(windows)]
mod windows;

pub use budget::{BudgetGuard, MemoryBudget};
pub use certs::{
    CertInfo, LiveCert, PairError, certified_key, install as install_certificate,
    install_self_signed,
};
pub use limit::{ConnGuard, ConnLimiter};
pub use listener::{Service, bind, bind_addr, refuse_and_close, serve};
pub use lockout::{Attempt, Locked, Lockout, LockoutPolicy};
pub use login::plaintext_login_allowed;
pub use session::{End, Shell, sanitize};
pub use shutdown::shutdown_on_signals;
pub use stream::{READ_CHUNK, SessionStream, TLS_HANDSHAKE_TIMEOUT};
pub use tls::{client_tls_trusting, load_certified_key, server_tls, server_tls_live};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// An address could not be bound; the text names the service, the address and why in
    /// plain words ("smtp: 0.0.0.0:25: port 25 is in use").
    #[error("{0}")]
    Bind(String),
    /// The certificate or key could not be loaded or made.
    #[error("{0}")]
    Tls(String),
}
