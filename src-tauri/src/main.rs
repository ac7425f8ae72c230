//! Postroom's desktop app: the mail server runs inside this process (the `engine` crate) and
//! lives in the tray; the control panel (`ui/`) opens in a window that talks to it through
//! Tauri commands instead of HTTP.
//!
//! # Layout
//! - `main.rs`: start-up: logging, the data directory, the engine, plugins, the run loop
//!   (the app keeps running in the tray when its window is closed).
//! - `commands.rs`: one Tauri command per API operation, a few lines each.
//! - `window.rs`: the control panel window, created on Open and destroyed on close, so that
//!   an app in the tray holds no webview.
//! - `tray.rs`: the tray icon (running, warning, stopped) and its menu.
//! - `watch.rs`: engine events to the webview; health (listeners, queue) to the tray icon and
//!   to desktop notifications.
//! - `desktop.rs`: the desktop-only settings: start minimized, start at login.
//! - `memory.rs`: no GPU compositing in WebKitGTK (Linux): a smaller web process.

// A release build on Windows opens no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod desktop;
mod memory;
mod tray;
mod watch;
mod window;

use std::path::{Path, PathBuf};
use std::time::Duration;

use engine::EngineHandle;
use engine::api::{ApiError, ApiResult};
use tauri::{AppHandle, Manager, RunEvent};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How long running sessions get to finish when the app quits.
const GRACE: Duration = Duration::from_secs(5);

/// The argument autostart passes: open in the tray only.
pub const MINIMIZED_ARG: &str = "--minimized";

/// The in-process mail server, or why it did not start (shown by every command).
pub struct Engine(Result<EngineHandle, String>);

impl Engine {
    pub fn get(&self) -> ApiResult<&EngineHandle> {
        self.0
            .as_ref()
            .map_err(|why| ApiError::internal(format!("the mail server is not running: {why}")))
    }
}

fn main() {
    // First: it changes the environment, which is sound only while there is one thread.
    memory::prefer_software_rendering();
    init_logging();
    let data_dir = data_dir();

    let app = tauri::Builder::default()
        // First: a second launch only shows the first one's window, then exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show(app);
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![MINIMIZED_ARG]),
        ))
        .plugin(tauri_plugin_notification::init())
        .manage(desktop::Store::new(&data_dir))
        .invoke_handler(commands::handler())
        // After the plugins: a second launch has exited by now, before it binds any port.
        .setup(move |app| {
            app.manage(start_engine(&data_dir));
            quit_on_signals(app.handle());
            tray::create(app.handle())?;
            watch::start(app.handle());
            let minimized = std::env::args().any(|a| a == MINIMIZED_ARG)
                || app.state::<desktop::Store>().load().start_minimized;
            if !minimized {
                window::show(app.handle());
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start the desktop app: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| match event {
        // The last window closed: stay in the tray. Quit passes an exit code.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        RunEvent::Exit => {
            if let Ok(engine) = app.state::<Engine>().get() {
                tauri::async_runtime::block_on(engine.clone().shutdown(GRACE));
            }
        }
        _ => {}
    });
}

/// The same start-up as `postroom serve`: a default postroom.toml on first start.
fn start_engine(data_dir: &Path) -> Engine {
    let started = tauri::async_runtime::block_on(async {
        let config = engine::load_or_init_config(data_dir).map_err(|e| e.to_string())?;
        engine::start(data_dir, config)
            .await
            .map_err(|e| e.to_string())
    });
    if let Err(why) = &started {
        tracing::error!("the mail server did not start: {why}");
    }
    Engine(started)
}

/// SIGTERM and SIGINT (a logout, a service manager) quit as the tray's Quit does, so that
/// the engine finishes its sessions.
fn quit_on_signals(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        engine::shutdown_on_signals().cancelled().await;
        app.exit(0);
    });
}

/// `POSTROOM_DATA` (tests) or `POSTROOM_DATA_DIR` (as the CLI), else the platform's data
/// directory: the one `postroom serve` uses too.
fn data_dir() -> PathBuf {
    let from_env = ["POSTROOM_DATA", "POSTROOM_DATA_DIR"]
        .iter()
        .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()));
    from_env
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("", "", "postroom").map(|d| d.data_dir().to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("postroom-data"))
}

/// Log lines to stderr (`POSTROOM_LOG` filters them) and to the engine's journal, which the
/// control panel's live log reads.
fn init_logging() {
    let filter = EnvFilter::try_from_env("POSTROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_filter(filter))
        .with(engine::journal::layer())
        .init();
}
