//! Inbound SMTP: the MX service on port 25 and submission on 587 (STARTTLS) and 465 (implicit
//! TLS), and the hand-off of accepted mail to local mailboxes and the outbound queue.
//!
//! A session is one task per connection driving [`session::Session`]: it parses commands with
//! `proto::smtp`, keeps the transaction state, and answers `250` after DATA only once
//! `store::Store::deliver` says the message is durable (DESIGN.md §4).
//!
//! Checks follow the transaction's order (connection, sender, recipient, body), and errors
//! never reveal configuration: the client sees a generic text with its code.
//!
//! # Layout
//! - `session.rs`: the session over the shared [`net::Shell`]: reading commands and
//!   message data with their timeouts, the dispatch, error counting, shutdown.
//! - `state.rs`: the states (connected, greeted, in a transaction) and the one table of
//!   which command is allowed in which state.
//! - `op/ehlo.rs`: HELO and EHLO (the extension list).
//! - `op/starttls.rs`: STARTTLS (RFC 3207).
//! - `op/auth.rs`: AUTH PLAIN and LOGIN (RFC 4954).
//! - `op/mail.rs`: MAIL FROM with SIZE, BODY, SMTPUTF8, RET, ENVID.
//! - `op/rcpt.rs`: RCPT TO: the checks as ordered stages (syntax, limit, relay rule,
//!   recipient, quota, and the SPF and greylisting slots), NOTIFY, ORCPT.
//! - `op/data.rs`: DATA, and delivery of the finished message (DATA's or BDAT's).
//! - `op/bdat.rs`: BDAT (RFC 3030 CHUNKING).
//! - `incoming.rs`: an arriving message: in memory within the shared memory budget, spooled
//!   to disk past 1 MiB (or when memory is tight).
//! - `op/rset.rs`: RSET, NOOP, QUIT; `op/vrfy.rs`: VRFY, EXPN, HELP.
//! - `op/etrn.rs`: ETRN (RFC 1985): starting delivery of the mail held for a domain.
//! - `policy.rs`: end-of-DATA checks (hop count, the author of submitted mail) and how the
//!   message entered (origin, SRS sender of forwarded mail).
//! - `received.rs`: the Received header (RFC 5321 §4.4, RFC 3848).
//! - `trace.rs`: the inbound checks' fields under it, forged Authentication-Results removed
//!   (RFC 8601 §5).

mod incoming;
mod op;
mod policy;
mod received;
mod session;
mod state;
mod trace;

use std::net::SocketAddr;
use std::sync::Arc;

use config::Config;
use net::SessionStream;
use store::Store;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// Which service a connection arrived on; decides the policy of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Port 25: mail from the Internet for our domains; relaying only after AUTH.
    Mx,
    /// Port 587: staff mail clients; STARTTLS, then AUTH before MAIL (RFC 6409).
    Submission,
    /// Port 465: as submission, over implicit TLS (RFC 8314).
    Submissions,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Mx => "smtp",
            Kind::Submission => "submission",
            Kind::Submissions => "submissions",
        }
    }
}

/// What every session shares: an immutable config snapshot, the store, TLS, shutdown.
pub struct Context {
    pub config: Arc<Config>,
    pub store: Store,
    pub tls: TlsAcceptor,
    pub shutdown: CancellationToken,
    /// Failed-login counters shared with the other protocols (AUTH).
    pub lockout: Arc<net::Lockout>,
    /// Bytes of arriving messages every session (of every protocol) may hold in memory.
    pub budget: net::MemoryBudget,
    /// The checks on mail from the Internet (`[filter]`).
    pub trust: trust::Trust,
}

/// Runs one SMTP session to its end. Never panics on client input; errors end the session.
pub async fn run_session(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) {
    session::Session::new(ctx, kind, stream, peer).run().await;
}
