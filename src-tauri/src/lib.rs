//! What the desktop app's two programs share: where the data directory is, and the control
//! channel through which a second launch or a window reaches the running tray app.
//!
//! The app is two processes so that the part that runs all day stays small:
//! - `postroom-desktop` (`src/main.rs`): the tray icon and its menu, desktop notifications;
//!   it runs the mail server as its child process (the installed `postroom serve`) or shows
//!   the system service's. It never loads a web engine.
//! - `postroom-window` (`src/bin/postroom-window/`): the control panel, a Tauri webview on the
//!   engine's loopback admin listener. Open starts it; closing the window ends it, and
//!   WebKit's processes with it.
//!
//! # Layout
//! - `lib.rs`: the data directory.
//! - `control.rs`: one tray app per data directory (a file lock) and its loopback control
//!   port: `open` (show the window) and `link` (a sign-in link for a window).

pub mod control;

use std::path::PathBuf;

/// The argument autostart passes: start in the tray only.
pub const MINIMIZED_ARG: &str = "--minimized";

/// `POSTROOM_DATA` (tests) or `POSTROOM_DATA_DIR` (as the CLI), else the platform's data
/// directory: the one `postroom serve` uses too.
pub fn data_dir() -> PathBuf {
    let from_env = ["POSTROOM_DATA", "POSTROOM_DATA_DIR"]
        .iter()
        .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()));
    from_env
        .map(PathBuf::from)
        .or_else(engine::default_data_dir)
        .unwrap_or_else(|| PathBuf::from("postroom-data"))
}

/// The program next to this one called `name` (`postroom-window` from the tray app, and back):
/// both are installed in the same directory (`/usr/bin`, the `.app`'s `MacOS`, Program Files).
pub fn sibling(name: &str) -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| std::io::Error::other("the program has no directory"))?;
    Ok(dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}
