//! `postroom-desktop`, the tray app: it starts the mail server as its child process (the
//! installed `postroom serve`, see `child.rs`) and lives in the tray; the control panel opens
//! as its own process (`postroom-window`, see `lib.rs` for why). Where the engine is installed
//! as a system service (Windows service, systemd, launchd), the tray app is that engine's
//! client and starts none of its own. Either way it talks to the engine over its loopback
//! admin API only, so the engine's code is in one program.
//!
//! # Layout
//! - `main.rs`: start-up (logging, one instance per data directory, the engine, the control
//!   port) and the event loop (tao: GTK on Linux, the main thread's run loop on macOS, a
//!   message loop on Windows).
//! - `child.rs`: this app's engine, a `postroom serve` child process, restarted if it dies.
//! - `backend.rs`: the engine shown: this app's or the service's (`client.rs`: HTTP to its
//!   admin listener; `service.rs`: is a service installed).
//! - `tray.rs`: the tray icon (running, warning, stopped) and its menu.
//! - `window.rs`: starting and ending the window processes.
//! - `watch.rs`: the engine's health to the tray icon and desktop notifications.
//! - `desktop.rs`: the desktop-only settings: start minimized, start at login.
//! - `texts.rs`: the tray's words in English and Simplified Chinese.
//! - `memory.rs`: no OpenGL in the tray app (Linux).

// A release build on Windows opens no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backend;
mod child;
mod client;
mod desktop;
mod memory;
mod service;
mod texts;
mod tray;
mod watch;
mod window;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use postroom_desktop::control::{self, Answer, Request};
use postroom_desktop::{MINIMIZED_ARG, data_dir};
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};
use tray_icon::menu::MenuEvent;

use crate::backend::Backend;
use crate::desktop::Desktop;
use crate::texts::Texts;
use crate::tray::{Action, State, Tray};
use crate::watch::Watch;
use crate::window::Windows;

/// How long a second launch waits for a first one that is still starting.
const HANDOVER: Duration = Duration::from_secs(15);

/// What other threads ask of the event loop's thread, which owns the tray.
pub enum UserEvent {
    Menu(MenuEvent),
    Health {
        state: State,
        tooltip: String,
        paused: bool,
    },
    Open,
    Quit,
}

fn main() {
    // First: it changes the environment, which is sound only while there is one thread.
    let no_gl = memory::no_gl();
    // Mail, keys and passwords in the data directory are for this user only.
    engine::files::restrict_new_files();
    init_logging();
    let data_dir = data_dir();
    let _lock = match control::claim(&data_dir) {
        Ok(Some(lock)) => lock,
        // A second launch: the first one shows its window; this one ends.
        Ok(None) => std::process::exit(hand_over(&data_dir)),
        Err(e) => {
            tracing::error!("cannot use the data directory {}: {e}", data_dir.display());
            std::process::exit(1);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    let texts = Texts::system();
    let desktop = Desktop::new(&data_dir);
    let event_loop = EventLoopBuilder::<UserEvent>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    let menu_proxy = proxy.clone();
    MenuEvent::set_event_handler(Some(move |event| {
        let _ = menu_proxy.send_event(UserEvent::Menu(event));
    }));

    let (windows, watch) = runtime.block_on(async {
        let engine = match service::find() {
            service::Found::Installed { data_dir, running } => service_engine(&data_dir, running),
            service::Found::NotInstalled => start_engine(&data_dir).await,
        };
        let watch = engine
            .as_ref()
            .ok()
            .map(|backend| Watch::start(backend.clone(), proxy.clone(), texts));
        let windows = Arc::new(Windows::new(engine, no_gl));
        serve_control(&data_dir, &windows, &proxy).await;
        quit_on_signals(proxy.clone());
        (windows, watch)
    });
    let open_at_start =
        !std::env::args().any(|a| a == MINIMIZED_ARG) && !desktop.load().start_minimized;

    let mut tray: Option<Tray> = None;
    event_loop.run(move |event, _, flow| {
        *flow = ControlFlow::Wait;
        let _entered = runtime.enter();
        match event {
            // The earliest point macOS allows a tray icon.
            Event::NewEvents(StartCause::Init) => {
                match Tray::create(texts, desktop.load()) {
                    Ok(created) => {
                        if watch.is_none() {
                            created.show(State::Stopped, texts.not_running, false);
                        }
                        tray = Some(created);
                    }
                    Err(e) => tracing::error!("cannot show the tray icon: {e}"),
                }
                if open_at_start || tray.is_none() {
                    open(&windows, texts);
                }
            }
            Event::UserEvent(UserEvent::Health {
                state,
                tooltip,
                paused,
            }) => {
                if let Some(tray) = &tray {
                    tray.show(state, &tooltip, paused);
                }
            }
            Event::UserEvent(UserEvent::Open) => open(&windows, texts),
            Event::UserEvent(UserEvent::Menu(event)) => {
                let Some(tray) = &tray else { return };
                match tray.action(&event) {
                    Some(Action::Open) => open(&windows, texts),
                    Some(Action::TogglePause) => {
                        if let Some(watch) = &watch {
                            watch.toggle_receiving();
                        }
                    }
                    Some(Action::StartAtLogin(on)) => {
                        if let Err(e) = desktop.set_start_at_login(on) {
                            tracing::warn!("cannot change start at login: {e}");
                        }
                        tray.show_settings(desktop.load());
                    }
                    Some(Action::StartMinimized(on)) => {
                        if let Err(e) = desktop.set_start_minimized(on) {
                            tracing::warn!("cannot change start minimized: {e}");
                        }
                        tray.show_settings(desktop.load());
                    }
                    Some(Action::Quit) => *flow = ControlFlow::Exit,
                    None => {}
                }
            }
            Event::UserEvent(UserEvent::Quit) => *flow = ControlFlow::Exit,
            Event::LoopDestroyed => {
                runtime.block_on(async {
                    windows.close_all().await;
                    if let Some(engine) = windows.engine().and_then(Backend::own_engine) {
                        engine.stop().await;
                    }
                });
            }
            _ => {}
        }
    });
}

fn open(windows: &Windows, texts: &'static Texts) {
    if let Err(why) = windows.open() {
        tracing::error!("cannot open the window: {why}");
        watch::notify(texts.window_failed, why);
    }
}

/// A second launch: asks the running app to show its window. The exit code.
fn hand_over(data_dir: &Path) -> i32 {
    let deadline = std::time::Instant::now() + HANDOVER;
    loop {
        match control::ask(data_dir, Request::Open) {
            Ok(Answer::Ok) => return 0,
            Ok(answer) => {
                tracing::error!("the running Postroom answered {answer:?}");
                return 1;
            }
            // The first one is still starting (no control port yet): wait for it.
            Err(e) if std::time::Instant::now() < deadline => {
                tracing::debug!("waiting for the running Postroom: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => {
                tracing::error!("Postroom is already running but does not answer: {e}");
                return 1;
            }
        }
    }
}

/// `postroom serve` in `data_dir` as this app's child (a default postroom.toml on first
/// start); it publishes a private loopback admin listener for the tray and the window in
/// `engine-control`, which works whatever `[listen] admin` says.
async fn start_engine(data_dir: &Path) -> Result<Backend, String> {
    let started = child::Engine::start(data_dir)
        .await
        .map(|engine| Backend::own(data_dir.to_path_buf(), engine));
    if let Err(why) = &started {
        tracing::error!("the mail server did not start: {why}");
    }
    started
}

/// The engine of the installed service, through its `engine-control` file (read for each
/// request: the service may start later, or again on a new port); a stopped service is said as
/// the reason (starting a second engine would take its ports).
fn service_engine(data_dir: &Path, running: bool) -> Result<Backend, String> {
    if !running {
        let why = "the Postroom service is installed but stopped: start it in Services \
                   (services.msc), or with `systemctl start postroom`";
        tracing::error!("{why}");
        return Err(why.to_string());
    }
    tracing::info!(
        "the tray shows the Postroom service ({})",
        data_dir.display()
    );
    if let Err(why) = client::Client::connect(data_dir) {
        tracing::warn!("{why}");
    }
    Ok(Backend::service(data_dir.to_path_buf()))
}

/// The control port: `open` from a second launch, `link` from a window started by hand.
async fn serve_control(data_dir: &Path, windows: &Arc<Windows>, proxy: &EventLoopProxy<UserEvent>) {
    let (listener, key) = match control::listen(data_dir).await {
        Ok(listening) => listening,
        Err(e) => {
            tracing::warn!("a second launch cannot reach this one: {e}");
            return;
        }
    };
    let (windows, proxy) = (windows.clone(), proxy.clone());
    tokio::spawn(control::serve(listener, key, move |request| {
        let (windows, proxy) = (windows.clone(), proxy.clone());
        async move {
            match request {
                Request::Open => match proxy.send_event(UserEvent::Open) {
                    Ok(()) => Answer::Ok,
                    Err(_) => Answer::Error("Postroom is quitting".to_string()),
                },
                Request::Link => match windows.link() {
                    Ok(url) => Answer::Link(url),
                    Err(why) => Answer::Error(why),
                },
            }
        }
    }));
}

/// SIGTERM and SIGINT (a logout, a service manager) quit as the tray's Quit does, so that
/// the engine finishes its sessions.
fn quit_on_signals(proxy: EventLoopProxy<UserEvent>) {
    tokio::spawn(async move {
        engine::shutdown_on_signals().cancelled().await;
        let _ = proxy.send_event(UserEvent::Quit);
    });
}

/// Log lines to stderr (`POSTROOM_LOG` filters them), with the engine's own (`child.rs`).
fn init_logging() {
    let filter = EnvFilter::try_from_env("POSTROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_filter(filter))
        .init();
}
