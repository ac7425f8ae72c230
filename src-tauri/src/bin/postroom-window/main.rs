//! `postroom-window`: the control panel in a window of its own process. The tray app
//! (`postroom-desktop`) starts it with a one-time sign-in link to the engine's private
//! loopback admin listener in `POSTROOM_WINDOW_URL`; the page is the web admin the engine
//! serves, talking to it over HTTP. Closing the window ends the process, and WebKit's web and
//! network processes with it: the tray app never holds a web engine.
//!
//! Started without a link (by hand, by a test driver), it asks the running tray app for one
//! over the control port; with no tray app running, it starts one (which opens a window) and
//! exits. When the mail server could not start, `POSTROOM_WINDOW_ERROR` says why and the
//! window shows that instead (`src-tauri/window/`).
//!
//! Without WebView2 (Windows, when the installer could not fetch it) or when the window
//! cannot be made, the control panel opens in the default browser instead.
//!
//! # Layout
//! - `main.rs`: where the page comes from, the window, one window at a time.
//! - `memory.rs`: no GPU compositing and no JavaScript JIT in WebKitGTK (Linux).

// A release build on Windows opens no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod memory;

use postroom_desktop::control::{self, Answer, Request};
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

/// Set by the tray app: see `src/window.rs`.
const URL_ENV: &str = "POSTROOM_WINDOW_URL";
const ERROR_ENV: &str = "POSTROOM_WINDOW_ERROR";
/// The window's label.
const MAIN: &str = "main";

/// What the window shows.
enum Page {
    /// The web admin, through a sign-in link.
    Admin(tauri::Url),
    /// Why there is no control panel (the mail server did not start).
    Error(String),
}

fn main() {
    // First: it changes the environment, which is sound only while there is one thread.
    memory::prefer_light_webview();
    let page = match page() {
        Ok(Some(page)) => page,
        Ok(None) => return, // The tray app was started; it opens a window itself.
        Err(why) => Page::Error(why),
    };
    // Windows: WebView2 is a separate runtime; without it no window can show the panel.
    #[cfg(windows)]
    if let Err(e) = tauri::webview_version() {
        eprintln!("WebView2 is not installed ({e}); opening the control panel in the browser");
        std::process::exit(in_browser(&page));
    }
    let fallback = match &page {
        Page::Admin(url) => Some(url.clone()),
        Page::Error(_) => None,
    };
    let app = tauri::Builder::default()
        // A second window process brings this one's window to the front, then exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window(MAIN) {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .setup(move |app| {
            // The bundle is a menu-bar app (Info.plist: LSUIElement); the window's process
            // shows in the Dock and the app switcher while it is open.
            #[cfg(target_os = "macos")]
            app.handle()
                .set_activation_policy(tauri::ActivationPolicy::Regular)?;
            let (url, script) = match &page {
                // The web admin hides its Sign out in this window (ui/src/App.tsx).
                Page::Admin(url) => (
                    WebviewUrl::External(url.clone()),
                    "window.postroomDesktop = true;".to_string(),
                ),
                Page::Error(why) => (
                    WebviewUrl::App("index.html".into()),
                    format!("window.postroomError = {};", serde_json::to_string(why)?),
                ),
            };
            WebviewWindowBuilder::new(app, MAIN, url)
                .title("Postroom")
                .inner_size(1100.0, 740.0)
                .min_inner_size(720.0, 480.0)
                .initialization_script(&script)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("cannot open the Postroom window: {e}");
        let code = match fallback {
            Some(url) => in_browser(&Page::Admin(url)),
            None => 1,
        };
        std::process::exit(code);
    }
}

/// Opens the sign-in link in the default browser (the exit code): `rundll32
/// url.dll,FileProtocolHandler` on Windows (no shell parses the link), `open` on macOS,
/// `xdg-open` elsewhere.
fn in_browser(page: &Page) -> i32 {
    let url = match page {
        Page::Admin(url) => url.as_str(),
        Page::Error(why) => {
            eprintln!("the mail server is not running: {why}");
            return 1;
        }
    };
    let mut command = if cfg!(windows) {
        let mut command = std::process::Command::new("rundll32");
        command.arg("url.dll,FileProtocolHandler");
        command
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    match command.arg(url).status() {
        Ok(status) if status.success() => 0,
        Ok(status) => {
            eprintln!("the browser did not open ({status}); the link: {url}");
            1
        }
        Err(e) => {
            eprintln!("cannot start a browser ({e}); the link: {url}");
            1
        }
    }
}

/// The sign-in link from the tray app (in the environment, or asked for), or why there is
/// none; `None` when there was no tray app and one has been started.
fn page() -> Result<Option<Page>, String> {
    if let Some(why) = std::env::var_os(ERROR_ENV) {
        return Ok(Some(Page::Error(why.to_string_lossy().into_owned())));
    }
    let link = match std::env::var(URL_ENV) {
        Ok(url) => url,
        Err(_) => match control::ask(&postroom_desktop::data_dir(), Request::Link) {
            Ok(Answer::Link(url)) => url,
            Ok(Answer::Error(why)) => return Err(why),
            Ok(Answer::Ok) => return Err("the tray app sent no sign-in link".to_string()),
            // No tray app runs: start it; it opens the window.
            Err(_) => {
                let tray =
                    postroom_desktop::sibling("postroom-desktop").map_err(|e| e.to_string())?;
                std::process::Command::new(&tray)
                    .spawn()
                    .map_err(|e| format!("cannot start {}: {e}", tray.display()))?;
                return Ok(None);
            }
        },
    };
    let url = tauri::Url::parse(&link).map_err(|e| format!("bad sign-in link: {e}"))?;
    // Only the engine's own loopback listener: the window must never show another site.
    if !matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) {
        return Err(format!("the sign-in link is not on this computer: {link}"));
    }
    Ok(Some(Page::Admin(url)))
}
