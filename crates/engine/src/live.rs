//! What the accept loops read for each new connection: the current settings snapshot and
//! the protocol contexts made from it, swapped whole by a reload, and whether receiving is
//! paused. Sessions keep the snapshot they started with.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use config::Config;
use net::{ConnLimiter, LiveCert, Lockout, LockoutPolicy, MemoryBudget};
use store::Store;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// RFC 5321 §3.8: a server that cannot take mail now may answer the connection with 421
/// and close it; the client tries again later.
const PAUSED_GREETING: &[u8] = b"421 4.3.2 Service paused, try again later\r\n";

/// One immutable set of settings and what is made from them.
pub(crate) struct Snapshot {
    pub config: Arc<Config>,
    pub smtp: Arc<smtp::Context>,
    pub imap: Arc<imap::Context>,
    pub pop3: Arc<pop3::Context>,
    pub lockout: Arc<Lockout>,
    /// The admin panel's sign-in counters: apart from the mail logins', so that failed SMTP
    /// AUTH for a mail user named `admin` cannot lock the panel.
    pub admin_lockout: Arc<Lockout>,
}

/// The live state shared by the engine handle and every accept loop.
pub(crate) struct Runtime {
    snapshot: ArcSwap<Snapshot>,
    paused: AtomicBool,
    pub store: Store,
    pub shutdown: CancellationToken,
    pub limiter: ConnLimiter,
    /// Memory for arriving messages, shared by every session of every snapshot.
    budget: MemoryBudget,
    /// Every TLS listener's acceptor; its config presents `cert`.
    pub acceptor: TlsAcceptor,
    pub cert: Arc<LiveCert>,
    maildrops: pop3::Maildrops,
}

fn policy(config: &Config) -> LockoutPolicy {
    let limits = &config.limits;
    LockoutPolicy {
        per_ip: limits.auth_failures_per_ip,
        per_account: limits.auth_failures_per_account,
        period: Duration::from_secs(limits.auth_lockout_secs),
    }
}

impl Runtime {
    pub fn new(
        config: Config,
        store: Store,
        shutdown: CancellationToken,
        acceptor: TlsAcceptor,
        cert: Arc<LiveCert>,
    ) -> Runtime {
        let limits = &config.limits;
        let limiter = ConnLimiter::new(limits.max_connections_per_ip, limits.max_connections);
        let budget = MemoryBudget::new(limits.memory_budget);
        // One set of failed-login counters for every protocol that takes passwords.
        let lockout = Arc::new(Lockout::new(policy(&config)));
        let admin_lockout = Arc::new(Lockout::new(policy(&config)));
        let maildrops = pop3::Maildrops::default();
        let parts = Parts {
            store: &store,
            acceptor: &acceptor,
            shutdown: &shutdown,
            maildrops: &maildrops,
            budget: &budget,
        };
        let snapshot = parts.snapshot(config, lockout, admin_lockout);
        Runtime {
            snapshot: ArcSwap::from_pointee(snapshot),
            paused: AtomicBool::new(false),
            store,
            shutdown,
            limiter,
            budget,
            acceptor,
            cert,
            maildrops,
        }
    }

    /// The settings new connections get now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    pub fn config(&self) -> Arc<Config> {
        self.snapshot.load().config.clone()
    }

    /// Makes `config` the one new connections get: new protocol contexts, connection
    /// limits, and new login-failure counters only if their policy changed.
    pub fn apply(&self, config: Config) {
        let old = self.snapshot.load_full();
        let limits = &config.limits;
        self.limiter
            .set_limits(limits.max_connections_per_ip, limits.max_connections);
        self.budget.set_limit(limits.memory_budget);
        let (lockout, admin_lockout) = if policy(&old.config) == policy(&config) {
            (old.lockout.clone(), old.admin_lockout.clone())
        } else {
            let make = || Arc::new(Lockout::new(policy(&config)));
            (make(), make())
        };
        let parts = Parts {
            store: &self.store,
            acceptor: &self.acceptor,
            shutdown: &self.shutdown,
            maildrops: &self.maildrops,
            budget: &self.budget,
        };
        self.snapshot
            .store(Arc::new(parts.snapshot(config, lockout, admin_lockout)));
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }
}

/// What every snapshot's contexts share.
struct Parts<'a> {
    store: &'a Store,
    acceptor: &'a TlsAcceptor,
    shutdown: &'a CancellationToken,
    /// Shared across snapshots: a maildrop stays locked while its session runs.
    maildrops: &'a pop3::Maildrops,
    budget: &'a MemoryBudget,
}

impl Parts<'_> {
    fn snapshot(
        &self,
        config: Config,
        lockout: Arc<Lockout>,
        admin_lockout: Arc<Lockout>,
    ) -> Snapshot {
        let config = Arc::new(config);
        Snapshot {
            smtp: Arc::new(smtp::Context {
                config: config.clone(),
                store: self.store.clone(),
                tls: self.acceptor.clone(),
                shutdown: self.shutdown.clone(),
                lockout: lockout.clone(),
                budget: self.budget.clone(),
                trust: trust::Trust::from_config(&config.dns, self.store.clone()),
            }),
            imap: Arc::new(imap::Context {
                config: config.clone(),
                store: self.store.clone(),
                tls: self.acceptor.clone(),
                shutdown: self.shutdown.clone(),
                lockout: lockout.clone(),
                budget: self.budget.clone(),
            }),
            pop3: Arc::new(pop3::Context {
                config: config.clone(),
                store: self.store.clone(),
                tls: self.acceptor.clone(),
                shutdown: self.shutdown.clone(),
                lockout: lockout.clone(),
                maildrops: self.maildrops.clone(),
            }),
            lockout,
            admin_lockout,
            config,
        }
    }
}

/// Answers an SMTP connection while receiving is paused, then closes it.
pub(crate) async fn paused_greeting(stream: net::SessionStream) {
    net::refuse_and_close(stream, PAUSED_GREETING).await;
}
