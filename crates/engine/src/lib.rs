//! The composition root: [`start`] builds every Postroom service from one [`Config`] and
//! returns an [`EngineHandle`]. Only this crate knows every other crate; the `postroom`
//! binary (and later the desktop app) depend on this crate alone.
//!
//! # Layout
//! - `lib.rs`: [`start`], [`EngineHandle`], [`EngineError`].
//! - `fdlimit.rs`: raising the open-file limit at start (unix).
//! - `datadir.rs`: the data directory: where it is, private (0700/0600, an ACL on
//!   Windows), `postroom.toml` (written with defaults on first start), `postroom.db`,
//!   `tls/`, `engine-control` (how a desktop app reaches a service's engine).
//! - `firewall.rs`: Windows Firewall rules for the mail ports (netsh).
//! - `admin.rs`: [`admin::AdminContext`], what the API's store operations run on: a running
//!   engine's store, or the data directory's opened by the CLI without an engine.
//! - `api/`: the management API on [`EngineHandle`] (serde DTOs, [`ApiError`]) that every
//!   front end shares: the admin HTTP server, the desktop app.
//! - `http/`: the admin HTTP server (`[listen] admin`): the API as JSON under `/api/`,
//!   Server-Sent Events, bearer token and session cookie.
//! - `journal.rs`: counts the typed events (crate `event`) into the dashboard's traffic and
//!   streams them; a tracing layer keeps recent log lines for the live log.
//! - `live.rs`: the settings snapshot each new connection gets (swapped by a reload), the
//!   certificate every listener presents, pausing SMTP.
//! - `listeners.rs`: one listener per configured address, up or down with a reason;
//!   rebinding what a reload changed.
//! - `reload.rs`: applying an edited `postroom.toml` live, key by key; the restartable queue.

pub mod admin;
pub mod api;
mod datadir;
mod fdlimit;
pub mod firewall;
mod http;
pub mod journal;
mod listeners;
mod live;
mod reload;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use api::ApiError;
pub use config::{Config, ConfigError};
pub use datadir::{
    CONTROL_FILE, EngineControl, config_path, database_path, default_dir as default_data_dir,
    load_or_init_config, prepare as prepare_data_dir, publish_control, read_control,
    service_dir as service_data_dir, withdraw_control,
};
/// Writing the data directory's files (atomically, owner-only) for the CLI and the desktop.
pub use files;
pub use http::{admin_token, same as same_secret, signin_url, signin_url_at, write_private};
pub use reload::Reloaded;
use store::Store;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::status::ListenerStatus;
use crate::listeners::Listeners;
use crate::live::Runtime;
use crate::reload::Outbound;

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
    /// The certificate failed; every failure is listed.
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
    /// The settings new connections get, the certificate, the pause switch.
    runtime: Arc<Runtime>,
    listeners: Listeners,
    outbound: Outbound,
    /// `[[collect]]`: outside mailboxes fetched on a schedule (`api::collect`).
    collector: dynip::collect::Collector,
    /// `[ddns]`: the public IP watcher and dynamic DNS updaters (`api::ddns`).
    ddns: dynip::ddns::Ddns,
    /// `[[etrn]]`: backup MX hosts asked to send our mail (`api::etrn`).
    etrn: dynip::etrn::EtrnClient,
    /// The admin API's token and sessions.
    admin: http::AdminState,
    /// One reload at a time.
    reload: tokio::sync::Mutex<()>,
    /// Settings keys saved since start that only a restart applies.
    pending_restart: Mutex<BTreeSet<String>>,
    started: Instant,
    /// Unix seconds.
    started_at: i64,
}

impl Shared {
    fn pending_restart(&self) -> MutexGuard<'_, BTreeSet<String>> {
        self.pending_restart
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

impl EngineHandle {
    /// Every listener that is up: (service, address). Port 0 in the config shows the real
    /// port. [`EngineHandle::listener_status`] lists those that are down too.
    pub fn listeners(&self) -> Vec<(&'static str, SocketAddr)> {
        self.shared.listeners.bound()
    }

    /// Every configured listener, up or down with the reason.
    pub fn listener_status(&self) -> Vec<ListenerStatus> {
        self.shared.listeners.status()
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// The context of the admin operations on domains, accounts, aliases and the queue
    /// (`api`), on this engine's store.
    pub fn admin(&self) -> admin::AdminContext {
        admin::AdminContext {
            store: self.shared.store.clone(),
            data_dir: self.shared.data_dir.clone(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.shared.data_dir
    }

    /// The settings in effect now.
    pub fn config(&self) -> Arc<Config> {
        self.shared.runtime.config()
    }

    /// The token that stops the engine when cancelled (e.g. on SIGTERM).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops accepting connections, tells sessions to finish (idle ones get `421`), waits up
    /// to `grace` for them, then closes the store after its last commit.
    pub async fn shutdown(self, grace: Duration) {
        // The listeners' tokens are children of this one.
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

    /// Serves the admin API and the web admin on `listener` as well, until the engine stops:
    /// the desktop app's private loopback port for its window, which works whatever
    /// `[listen] admin` says. It is not in postroom.toml, so not in the listener status.
    pub fn serve_admin(&self, listener: TcpListener) {
        let server = http::Admin::new(self.clone());
        self.tracker
            .spawn(server.serve(listener, self.shutdown.child_token()));
    }

    /// Binds and serves what `[listen]` lists now; stops what it no longer lists.
    async fn sync_listeners(&self) {
        let config = self.config();
        let engine = self.clone();
        let admin = move |listener: TcpListener, stop: CancellationToken| -> JoinHandle<()> {
            let server = http::Admin::new(engine.clone());
            engine.tracker.spawn(server.serve(listener, stop))
        };
        self.shared
            .listeners
            .sync(&config, &self.shared.runtime, &self.tracker, &admin)
            .await;
    }
}

/// Opens the store, loads TLS, starts the queue and binds every configured listener, then
/// serves. A listener that cannot bind is logged and shown as down in
/// [`EngineHandle::listener_status`]; the others serve.
pub async fn start(data_dir: &Path, config: Config) -> Result<EngineHandle, EngineError> {
    // Before any session: the dashboard's counters come from the sessions' typed events.
    journal::install();
    // Before any listener: idle clients must not run the process out of descriptors.
    fdlimit::raise();
    datadir::prepare(data_dir).map_err(|source| EngineError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let store = Store::open(&database_path(data_dir))?;
    let (tls, cert) = net::server_tls_live(data_dir, &config.tls, &config.hostname)
        .map_err(|e| EngineError::Net(vec![e.to_string()]))?;
    let admin = http::AdminState::load(data_dir)?;
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    // [[collect]] jobs and [[etrn]] entries: started once the listeners are up; a changed
    // list is applied live (`reload.rs`).
    let collector = dynip::collect::Collector::new(&config, store.clone(), &shutdown);
    let etrn = dynip::etrn::EtrnClient::new(&config, &shutdown);
    // [ddns]: off unless enabled; a changed section restarts it (`reload.rs`).
    let ddns = dynip::ddns::Ddns::start(&config.ddns, &shutdown, &tracker)
        .map_err(|e| EngineError::Net(vec![format!("dynamic DNS: {e}")]))?;
    let runtime = Arc::new(Runtime::new(
        config,
        store.clone(),
        shutdown.clone(),
        TlsAcceptor::from(tls),
        cert,
    ));
    if api::status::paused_at_start(data_dir) {
        runtime.set_paused(true);
        tracing::warn!("receiving is paused (since before the restart): SMTP answers 421");
    }
    let handle = EngineHandle {
        shutdown,
        tracker,
        shared: Arc::new(Shared {
            store,
            data_dir: data_dir.to_path_buf(),
            runtime,
            listeners: Listeners::default(),
            outbound: Outbound::default(),
            collector,
            ddns,
            etrn,
            admin,
            reload: tokio::sync::Mutex::default(),
            pending_restart: Mutex::default(),
            started: Instant::now(),
            started_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        }),
    };
    // Outbound mail: SMTP hands it over as queue rows; the scheduler wakes on the store's
    // QueueAdded changes.
    handle
        .shared
        .outbound
        .start(
            handle.config(),
            handle.store().clone(),
            &handle.shutdown,
            &handle.tracker,
        )
        .await?;
    // The classifiers learn from moves into and out of Junk (issue #16), beside the sessions.
    handle.tracker.spawn(trust::learn::run(
        handle.store().clone(),
        handle.shutdown.child_token(),
    ));
    handle.sync_listeners().await;
    handle.shared.collector.start(&handle.tracker);
    handle
        .shared
        .etrn
        .start(handle.shared.ddns.clone(), handle.tracker.clone());
    Ok(handle)
}

/// A token cancelled on SIGINT or SIGTERM.
pub fn shutdown_on_signals() -> CancellationToken {
    net::shutdown_on_signals()
}
