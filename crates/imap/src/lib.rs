//! IMAP (RFC 9051 IMAP4rev2 and RFC 3501 IMAP4rev1): mail clients keep their mail on the
//! server on port 143 (STARTTLS) and 993 (implicit TLS), with IDLE (RFC 2177), UIDPLUS
//! (RFC 4315), MOVE (RFC 6851), SPECIAL-USE (RFC 6154), NAMESPACE (RFC 2342), LITERAL+
//! (RFC 7888), ENABLE (RFC 5161), ID (RFC 2971), UNSELECT (RFC 3691), SASL-IR (RFC 4959),
//! ESEARCH (RFC 4731), UTF8=ACCEPT (RFC 6855), LIST-EXTENDED (RFC 5258), LIST-STATUS
//! (RFC 5819), CREATE-SPECIAL-USE (RFC 6154 §3), SORT and THREAD (RFC 5256) with SORT=DISPLAY
//! (RFC 5957) and ESORT (RFC 5267), CONDSTORE and QRESYNC (RFC 7162), QUOTA (RFC 9208).
//!
//! A session is one task per connection driving [`session::Session`]. The selected mailbox
//! is kept as a list of UIDs and flags in message-number order; what other sessions change
//! (POP3 deletions, SMTP deliveries, another client's STORE) is learnt from the store's
//! change stream and told to the client as EXISTS / EXPUNGE / FETCH at command boundaries
//! and during IDLE, by comparing the mailbox now with that list (VANISHED instead of EXPUNGE
//! once QRESYNC is enabled; MODSEQ in the FETCH once CONDSTORE is).
//!
//! Passwords travel only over TLS, except from loopback addresses (LOGINDISABLED otherwise).
//! Failed logins count towards the lockout shared with SMTP and POP3 ([`net::Lockout`]).
//!
//! # Layout
//! - `session.rs`: the session over `net::Shell`: framing, timeouts, the states, and
//!   the one dispatch `match` deciding which command is allowed in which state.
//! - `selected.rs`: the selected mailbox: message numbers, flags and MODSEQs, catching up
//!   with changes.
//! - `policy.rs`: when a password may be sent, and the CAPABILITY list.
//! - `envelope.rs`: ENVELOPE from the raw header, as Dovecot writes it, with the address
//!   lists `address.rs` reads; `message.rs`: body
//!   sections, with mail-parser; `structure.rs`: BODY and
//!   BODYSTRUCTURE as Dovecot writes them, from the MIME fields `mime.rs` reads; the nesting and
//!   part limits checked before mail-parser sees a message are `proto::shape`.
//! - `op/`: one file per command or small family: `starttls.rs`, `login.rs` (LOGIN,
//!   AUTHENTICATE), `info.rs` (CAPABILITY, ID, ENABLE, NAMESPACE), `list.rs` (LIST with
//!   LIST-EXTENDED and LIST-STATUS, LSUB, STATUS), `mailbox.rs` (CREATE with special use,
//!   DELETE, RENAME, SUBSCRIBE), `select.rs` (SELECT, EXAMINE with CONDSTORE and QRESYNC,
//!   CLOSE, UNSELECT), `append.rs`, `fetch.rs` (with CHANGEDSINCE, VANISHED), `store.rs`
//!   (with UNCHANGEDSINCE), `search.rs` (with CHARSET),
//!   `search_text.rs` (what the text keys read, as Dovecot: decoded fields, attached messages), `copy.rs` (COPY, MOVE), `expunge.rs`, `idle.rs`,
//!   `quota.rs` (GETQUOTA, GETQUOTAROOT, SETQUOTA), `sort.rs` (SORT, ESORT), `thread.rs` (THREAD),
//!   `headers.rs` (base subject, sent date and the other header fields SORT and THREAD use),
//!   `summary.rs` (ENVELOPE and BODYSTRUCTURE computed once: in memory, then in the store, so
//!   a restart does not parse again), `prefetch.rs` (bodies read in batches for FETCH),
//!   `cpu.rs` (SEARCH over content, SORT and THREAD on the blocking pool, at most one job
//!   per CPU across all sessions).

mod address;
mod envelope;
mod message;
mod mime;
mod op;
mod policy;
mod selected;
mod session;
mod structure;

use std::net::SocketAddr;
use std::sync::Arc;

use config::Config;
use net::{Lockout, SessionStream};
use store::Store;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// Which service a connection arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Port 143: plain, with STARTTLS.
    Imap,
    /// Port 993: implicit TLS.
    Imaps,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Imap => "imap",
            Kind::Imaps => "imaps",
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
    /// Bytes of arriving messages (literals) every session of every protocol may hold.
    pub budget: net::MemoryBudget,
}

/// Runs one IMAP session to its end. Never panics on client input; errors end the session.
pub async fn run_session(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) {
    session::Session::new(ctx, kind, stream, peer).run().await;
}
