//! The desktop-only settings. `start_minimized` is kept in `desktop.json` in the data
//! directory; `start_at_login` is the platform's own (a login item, an autostart entry, a
//! Run key), read and written through tauri-plugin-autostart.

use std::path::{Path, PathBuf};

use engine::api::ApiResult;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt;

use crate::commands::internal;

/// `desktop_settings` / `set_desktop_settings`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesktopSettings {
    /// Open in the tray only, with no window.
    #[serde(default)]
    pub start_minimized: bool,
    /// Start when the user logs in (always minimized).
    #[serde(default)]
    pub start_at_login: bool,
}

/// What is saved in `desktop.json`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Saved {
    #[serde(default)]
    pub start_minimized: bool,
}

/// `desktop.json`.
pub struct Store {
    path: PathBuf,
}

impl Store {
    pub fn new(data_dir: &Path) -> Store {
        Store {
            path: data_dir.join("desktop.json"),
        }
    }

    /// The saved settings; the defaults when the file is missing or unreadable.
    pub fn load(&self) -> Saved {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save(&self, saved: Saved) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(&saved).map_err(std::io::Error::other)?;
        std::fs::write(&self.path, json)
    }
}

pub fn current(app: &AppHandle) -> ApiResult<DesktopSettings> {
    Ok(DesktopSettings {
        start_minimized: app.state::<Store>().load().start_minimized,
        start_at_login: app.autolaunch().is_enabled().map_err(internal)?,
    })
}

pub fn change(app: &AppHandle, settings: DesktopSettings) -> ApiResult<DesktopSettings> {
    app.state::<Store>()
        .save(Saved {
            start_minimized: settings.start_minimized,
        })
        .map_err(internal)?;
    let autolaunch = app.autolaunch();
    if settings.start_at_login != autolaunch.is_enabled().map_err(internal)? {
        let changed = if settings.start_at_login {
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        changed.map_err(internal)?;
    }
    current(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_minimized_is_kept_in_desktop_json() {
        let dir = std::env::temp_dir().join(format!("postroom-desktop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let store = Store::new(&dir);
        // No file yet: open the window.
        assert!(!store.load().start_minimized);
        store
            .save(Saved {
                start_minimized: true,
            })
            .expect("save");
        assert!(Store::new(&dir).load().start_minimized);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
