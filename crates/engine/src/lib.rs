//! The composition root: [`start`] builds every Postroom service from one [`Config`] and
//! returns an [`EngineHandle`]. Only this crate knows every other crate; the `postroom`
//! binary (and later the desktop app) depend on this crate alone.
//!
//! # Layout
//! - `lib.rs`: [`start`], [`EngineHandle`], [`EngineError`].
//! - `datadir.rs`: the data directory: `postroom.toml` (written with defaults on first
//!   start), `postroom.db`, `tls/`.
//! - `admin.rs`: the administration surface the CLI uses while the server runs or not.
//! - `api/`: the management API on [`EngineHandle`] (serde DTOs, [`ApiError`]) that every
//!   front end shares: the admin HTTP server, the desktop app.
//! - `http/`: the admin HTTP server (`[listen] admin`): the API as JSON under `/api/`,
//!   Server-Sent Events, bearer token and session cookie.
//! - `journal.rs`: the tracing layer that keeps recent log entries and counts traffic.

pub mod admin;
pub mod api;
mod datadir;
mod http;
pub mod journal;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use api::ApiError;
pub use config::{Config, ConfigError};
pub use datadir::{config_path, database_path, load_or_init_config};
pub use http::{admin_token, signin_url};
use net::{ConnLimiter, Lockout, LockoutPolicy, Service, SessionStream};
use store::Store;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Why the engine could not start. The text is one or more plain sentences for a user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// postroom.toml is missing values or has wrong ones.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// A listener or the certificate failed; every failure is listed.
    #[error("{}", .0.join("\n"))]
    Net(Vec<String>),
    /// The outbound queue could not be set up (DNS settings, a route's CA file).
    #[error(transparent)]
    Queue(#[from] queue::QueueError),
    /// The data directory could not be created or read.
    #[error("data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running engine; cheap to clone. The management operations (`status`, `domains`,
/// `queue`...) are in [`api`].
#[derive(Clone)]
pub struct EngineHandle {
    shutdown: CancellationToken,
    tracker: TaskTracker,
    shared: Arc<Shared>,
}

/// What every clone of the handle shares.
struct Shared {
    store: Store,
    data_dir: PathBuf,
    /// The configuration the engine runs with.
    config: Config,
    listeners: Vec<(&'static str, SocketAddr)>,
    started: Instant,
    /// Unix seconds.
    started_at: i64,
}

impl EngineHandle {
    /// Every bound listener: (service, address). Port 0 in the config shows the real port.
    pub fn listeners(&self) -> &[(&'static str, SocketAddr)] {
        &self.shared.listeners
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.shared.data_dir
    }

    /// The token that stops the engine when cancelled (e.g. on SIGTERM).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops accepting connections, tells sessions to finish (idle ones get `421`), waits up
    /// to `grace` for them, then closes the store after its last commit.
    pub async fn shutdown(self, grace: Duration) {
        self.shutdown.cancel();
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("sessions still running after {grace:?}; stopping anyway");
        }
        // The store closes when its last handle (this one, the sessions') is dropped.
        drop(self.shared);
    }

    /// Waits until the shutdown token is cancelled, then shuts down.
    pub async fn run_until_stopped(self, grace: Duration) {
        self.shutdown.cancelled().await;
        tracing::info!("shutting down");
        self.shutdown(grace).await;
    }
}

/// Opens the store, loads TLS and binds every configured listener, then serves.
pub async fn start(data_dir: &Path, config: Config) -> Result<EngineHandle, EngineError> {
    std::fs::create_dir_all(data_dir).map_err(|source| EngineError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let store = Store::open(&database_path(data_dir))?;
    let tls = net::server_tls(data_dir, &config.tls, &config.hostname)
        .map_err(|e| EngineError::Net(vec![e.to_string()]))?;
    let acceptor = TlsAcceptor::from(tls);

    let mut problems = Vec::new();
    let smtp_services = [
        (smtp::Kind::Mx, &config.listen.smtp),
        (smtp::Kind::Submission, &config.listen.submission),
        (smtp::Kind::Submissions, &config.listen.submissions),
    ];
    let bound = bind_all(&smtp_services, smtp::Kind::name, &mut problems).await;
    let pop3_services = [
        (pop3::Kind::Pop3, &config.listen.pop3),
        (pop3::Kind::Pop3s, &config.listen.pop3s),
    ];
    let pop3_bound = bind_all(&pop3_services, pop3::Kind::name, &mut problems).await;
    let imap_services = [
        (imap::Kind::Imap, &config.listen.imap),
        (imap::Kind::Imaps, &config.listen.imaps),
    ];
    let imap_bound = bind_all(&imap_services, imap::Kind::name, &mut problems).await;
    let admin_bound = bind_all(&[("admin", &config.listen.admin)], |n| n, &mut problems).await;
    if !problems.is_empty() {
        return Err(EngineError::Net(problems));
    }

    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let limits = &config.limits;
    let limiter = ConnLimiter::new(limits.max_connections_per_ip, limits.max_connections);
    // One set of failed-login counters for every protocol that takes passwords.
    let lockout = Arc::new(Lockout::new(LockoutPolicy {
        per_ip: limits.auth_failures_per_ip,
        per_account: limits.auth_failures_per_account,
        period: Duration::from_secs(limits.auth_lockout_secs),
    }));
    let running_config = config.clone();
    let config = Arc::new(config);
    let ctx = Arc::new(smtp::Context {
        config: config.clone(),
        store: store.clone(),
        tls: acceptor.clone(),
        shutdown: shutdown.clone(),
        lockout: lockout.clone(),
    });
    // Outbound mail: SMTP hands it over as queue rows; the scheduler wakes on the store's
    // QueueAdded changes.
    let outbound = queue::Queue::new(config.clone(), store.clone(), shutdown.clone())?;
    tracker.spawn(outbound.run());
    let mut listeners = Vec::new();
    for (kind, listener) in bound {
        let service = Service {
            name: kind.name(),
            implicit_tls: (kind == smtp::Kind::Submissions).then(|| acceptor.clone()),
            busy_reply: b"421 4.7.0 Too many connections, try again later\r\n",
        };
        let ctx = ctx.clone();
        let handler = move |stream, peer| smtp::run_session(ctx.clone(), kind, stream, peer);
        let addr = spawn_listener(listener, service, &limiter, &shutdown, &tracker, handler)?;
        listeners.push((kind.name(), addr));
    }
    let imap_ctx = Arc::new(imap::Context {
        config: config.clone(),
        store: store.clone(),
        tls: acceptor.clone(),
        shutdown: shutdown.clone(),
        lockout: lockout.clone(),
    });
    for (kind, listener) in imap_bound {
        let service = Service {
            name: kind.name(),
            implicit_tls: (kind == imap::Kind::Imaps).then(|| acceptor.clone()),
            busy_reply: b"* BYE [UNAVAILABLE] too many connections\r\n",
        };
        let ctx = imap_ctx.clone();
        let handler = move |stream, peer| imap::run_session(ctx.clone(), kind, stream, peer);
        let addr = spawn_listener(listener, service, &limiter, &shutdown, &tracker, handler)?;
        listeners.push((kind.name(), addr));
    }
    let pop3_ctx = Arc::new(pop3::Context {
        config,
        store: store.clone(),
        tls: acceptor.clone(),
        shutdown: shutdown.clone(),
        lockout,
        maildrops: pop3::Maildrops::default(),
    });
    for (kind, listener) in pop3_bound {
        let service = Service {
            name: kind.name(),
            implicit_tls: (kind == pop3::Kind::Pop3s).then(|| acceptor.clone()),
            busy_reply: b"-ERR [SYS/TEMP] too many connections\r\n",
        };
        let ctx = pop3_ctx.clone();
        let handler = move |stream, peer| pop3::run_session(ctx.clone(), kind, stream, peer);
        let addr = spawn_listener(listener, service, &limiter, &shutdown, &tracker, handler)?;
        listeners.push((kind.name(), addr));
    }
    let admin_listeners: Vec<(TcpListener, SocketAddr)> = admin_bound
        .into_iter()
        .map(|(_, l)| {
            let addr = l
                .local_addr()
                .map_err(|e| EngineError::Net(vec![e.to_string()]))?;
            Ok((l, addr))
        })
        .collect::<Result<_, EngineError>>()?;
    listeners.extend(admin_listeners.iter().map(|(_, addr)| ("admin", *addr)));
    let handle = EngineHandle {
        shutdown,
        tracker,
        shared: Arc::new(Shared {
            store,
            data_dir: data_dir.to_path_buf(),
            config: running_config,
            listeners,
            started: Instant::now(),
            started_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        }),
    };
    if !admin_listeners.is_empty() {
        let admin = http::Admin::new(handle.clone(), acceptor)?;
        for (listener, addr) in admin_listeners {
            handle.tracker.spawn(admin.clone().serve(listener));
            tracing::info!(service = "admin", %addr, "listening");
        }
    }
    Ok(handle)
}

/// Binds every address of each service; what fails is added to `problems`.
async fn bind_all<K: Copy>(
    services: &[(K, &Vec<SocketAddr>)],
    name: fn(K) -> &'static str,
    problems: &mut Vec<String>,
) -> Vec<(K, TcpListener)> {
    let mut bound = Vec::new();
    for &(kind, addrs) in services {
        match net::bind(name(kind), addrs).await {
            Ok(listeners) => bound.extend(listeners.into_iter().map(|l| (kind, l))),
            Err(e) => problems.push(e.to_string()),
        }
    }
    bound
}

/// Serves one listener on `tracker`; returns its address.
fn spawn_listener<F, Fut>(
    listener: TcpListener,
    service: Service,
    limiter: &ConnLimiter,
    shutdown: &CancellationToken,
    tracker: &TaskTracker,
    handler: F,
) -> Result<SocketAddr, EngineError>
where
    F: Fn(SessionStream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let addr = listener
        .local_addr()
        .map_err(|e| EngineError::Net(vec![e.to_string()]))?;
    let name = service.name;
    tracker.spawn(net::serve(
        listener,
        service,
        limiter.clone(),
        shutdown.clone(),
        tracker.clone(),
        handler,
    ));
    tracing::info!(service = name, %addr, "listening");
    Ok(addr)
}

/// A token cancelled on SIGINT or SIGTERM.
pub fn shutdown_on_signals() -> CancellationToken {
    net::shutdown_on_signals()
}
