//! What the protocol crates' command tests share: a [`Testbed`] (a throwaway data directory
//! with a store, a domain and two accounts, a self-signed certificate, the pieces of a
//! protocol `Context` as the engine makes them) and a [`Client`] talking to one session over
//! an in-memory connection ([`net::SessionStream::Memory`]), STARTTLS included.
//!
//! Only dev-dependencies use this crate. Reads panic after [`WAIT`] so a session that stops
//! answering fails its test instead of hanging it; no test asserts on timing.
//!
//! # Layout
//! - `lib.rs`: [`Testbed`].
//! - `client.rs`: [`Client`]: lines in, lines out, STARTTLS, end of stream.
//! - `transcript.rs`: [`transcript::run`]: a command's tests as a dialogue file.

mod client;
pub mod transcript;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use config::Config;
use net::{Lockout, LockoutPolicy, MemoryBudget, SessionStream};
use store::{AccountId, Delivery, Origin, Store};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

pub use client::Client;
pub use transcript::{Bench, Protocol, Session, Sessions};

/// The server's host name in every testbed.
pub const HOSTNAME: &str = "mail.example.com";
/// The local domain.
pub const DOMAIN: &str = "example.com";
/// Two accounts, both with [`PASSWORD`].
pub const ALICE: &str = "alice@example.com";
pub const BOB: &str = "bob@example.com";
pub const PASSWORD: &str = "correct horse 1";
/// A peer on loopback: passwords may be sent without TLS.
pub const LOOPBACK: &str = "127.0.0.1:40000";
/// A peer on the Internet (RFC 5737 documentation range): passwords need TLS.
pub const REMOTE: &str = "192.0.2.1:40000";
/// How long a client waits for the session before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// A data directory with a store, one domain, two accounts and a TLS certificate.
pub struct Testbed {
    dir: tempfile::TempDir,
    pub config: Arc<Config>,
    pub store: Store,
    pub tls: TlsAcceptor,
    pub shutdown: CancellationToken,
    pub lockout: Arc<Lockout>,
    pub budget: MemoryBudget,
    pub alice: AccountId,
    pub bob: AccountId,
}

impl Testbed {
    /// A testbed with the default configuration.
    pub async fn new() -> Testbed {
        Testbed::with_config("").await
    }

    /// A testbed whose `postroom.toml` is `hostname = ...` followed by `toml`.
    pub async fn with_config(toml: &str) -> Testbed {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = format!("hostname = \"{HOSTNAME}\"\n{toml}");
        let config = Config::parse(&text, Path::new("postroom.toml")).expect("valid test config");
        let store = Store::open(&dir.path().join("postroom.db")).expect("store opens");
        store.add_domain(DOMAIN).await.expect("add domain");
        let alice = store.add_account(ALICE, PASSWORD).await.expect("alice");
        let bob = store.add_account(BOB, PASSWORD).await.expect("bob");
        let tls = net::server_tls(dir.path(), &config.tls, HOSTNAME).expect("self-signed TLS");
        let limits = &config.limits;
        let lockout = Arc::new(Lockout::new(LockoutPolicy {
            per_ip: limits.auth_failures_per_ip,
            per_account: limits.auth_failures_per_account,
            period: Duration::from_secs(limits.auth_lockout_secs),
        }));
        let budget = MemoryBudget::new(limits.memory_budget);
        Testbed {
            dir,
            config: Arc::new(config),
            store,
            tls: TlsAcceptor::from(tls),
            shutdown: CancellationToken::new(),
            lockout,
            budget,
            alice,
            bob,
        }
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The self-signed certificate the sessions present, for a client to trust.
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("tls").join("cert.pem")
    }

    /// Stores `message` (CRLF line endings) in the INBOX of `accounts`, as a delivery from
    /// the Internet would.
    pub async fn deliver(&self, accounts: &[AccountId], message: &str) {
        self.store
            .deliver(Delivery {
                message: message.as_bytes().to_vec(),
                envelope_from: "sender@example.net".into(),
                envid: None,
                ret: None,
                accounts: accounts.to_vec(),
                junk: false,
                remote: Vec::new(),
                origin: Origin::Inbound,
                forward_sender: None,
            })
            .await
            .expect("delivery");
    }

    /// The messages in `account`'s INBOX, oldest first, as text.
    pub async fn inbox(&self, account: AccountId) -> Vec<String> {
        let drop = self.store.maildrop(account).await.expect("maildrop");
        let uids = drop.messages.iter().map(|m| m.uid).collect();
        let bodies = self
            .store
            .read_messages(drop.mailbox, uids)
            .await
            .expect("read messages");
        bodies
            .into_iter()
            .map(|b| String::from_utf8_lossy(&b.expect("message still there")).into_owned())
            .collect()
    }

    /// Starts one session, as `session(stream, peer)` (a protocol's `run_session` with its
    /// context and kind), on an in-memory connection from `peer`; returns its client.
    pub fn connect<F, S>(&self, peer: &str, session: S) -> Client
    where
        S: FnOnce(SessionStream, SocketAddr) -> F,
        F: Future<Output = ()> + Send + 'static,
    {
        let peer: SocketAddr = peer.parse().expect("peer address");
        let (ours, theirs) = tokio::io::duplex(64 * 1024);
        tokio::spawn(session(SessionStream::Memory(theirs), peer));
        Client::new(ours, self.cert_path())
    }
}

/// `context!(bed, imap::Context { budget })`: a protocol's context the way the engine builds
/// it, from the [`Testbed`] `bed` (its configuration, store, TLS, shutdown and lockout) and
/// the protocol's own fields, variables of those names.
#[macro_export]
macro_rules! context {
    ($bed:expr, $context:path { $($field:ident),* $(,)? }) => {{
        let bed: &$crate::Testbed = $bed;
        $context {
            config: bed.config.clone(),
            store: bed.store.clone(),
            tls: bed.tls.clone(),
            shutdown: bed.shutdown.clone(),
            lockout: bed.lockout.clone(),
            $($field),*
        }
    }};
}

/// A test message from `from` with `subject`, CRLF line endings.
pub fn message(from: &str, subject: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {ALICE}\r\nSubject: {subject}\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <{subject}@example.net>\r\n\r\n{body}\r\n"
    )
}

/// Standard base64 with padding (RFC 4648 §4), as SASL exchanges use it.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The SASL PLAIN response (RFC 4616) for `user` and `password`, base64.
pub fn plain(user: &str, password: &str) -> String {
    base64(format!("\0{user}\0{password}").as_bytes())
}
