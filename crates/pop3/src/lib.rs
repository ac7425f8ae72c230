//! POP3 (RFC 1939): mail clients download the account's INBOX on port 110 (STLS, RFC 2595)
//! and 995 (implicit TLS, RFC 8314), with CAPA and response codes (RFC 2449, RFC 3206),
//! SASL PLAIN and LOGIN (RFC 5034) and UTF8 (RFC 6856).
//!
//! A session is one task per connection driving [`session::Session`]. After login the
//! maildrop is a snapshot of the INBOX: message numbers 1..n stay fixed for the session, mail
//! arriving meanwhile shows up at the next login. One POP3 session per account at a time
//! (`-ERR [IN-USE]`); IMAP sessions may run alongside. DELE only marks; QUIT deletes the
//! marked messages in one durable store job (the UPDATE state); a dropped connection deletes
//! nothing. UIDL is `{uidvalidity:x}.{uid}`: stable, and never reused.
//!
//! Passwords travel only over TLS, except from loopback addresses. Failed logins count
//! towards the lockout shared with SMTP AUTH ([`net::Lockout`]).
//!
//! # Layout
//! - `session.rs`: the session over `net::Shell`: reading, timeouts, the states, and the one
//!   dispatch `match` deciding which command is allowed in which state.
//! - `policy.rs`: when a password may be sent, and the CAPA list per state.
//! - `lock.rs`: [`Maildrops`], the set of accounts a session holds.
//! - `op/capa.rs`: CAPA (RFC 2449 §5) and UTF8 (RFC 6856).
//! - `op/stls.rs`: STLS (RFC 2595 §4).
//! - `op/user.rs`: USER and PASS (RFC 1939 §7).
//! - `op/auth.rs`: AUTH PLAIN and LOGIN (RFC 5034).
//! - `op/login.rs`: what every login shares: lockout, password check, the maildrop lock and
//!   snapshot.
//! - `op/list.rs`: STAT, LIST, UIDL (RFC 1939 §5, §7).
//! - `op/retr.rs`: RETR and TOP, streamed with dot-stuffing.
//! - `op/dele.rs`: DELE, RSET, NOOP.
//! - `op/quit.rs`: QUIT and the UPDATE state (RFC 1939 §6).

mod lock;
mod op;
mod policy;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use config::Config;
use net::{Lockout, SessionStream};
use store::Store;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

pub use lock::Maildrops;

/// Which service a connection arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Port 110: plain, with STLS.
    Pop3,
    /// Port 995: implicit TLS.
    Pop3s,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pop3 => "pop3",
            Kind::Pop3s => "pop3s",
        }
    }
}

/// What every session shares.
pub struct Context {
    /// An immutable config snapshot.
    pub config: Arc<Config>,
    pub store: Store,
    pub tls: TlsAcceptor,
    pub shutdown: CancellationToken,
    /// Failed-login counters, shared with the other protocols.
    pub lockout: Arc<Lockout>,
    /// The accounts whose maildrop a POP3 session holds now.
    pub maildrops: Maildrops,
}

/// Runs one POP3 session to its end. Never panics on client input; errors end the session.
pub async fn run_session(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) {
    session::Session::new(ctx, kind, stream, peer).run().await;
}
