//! The desktop-only settings, set from the tray menu. `start_minimized` is kept in
//! `desktop.json` in the data directory; `start_at_login` is the platform's own (an XDG
//! autostart entry, a login item, a Run key), read and written through `auto-launch`, which
//! starts this program with [`MINIMIZED_ARG`].

use std::path::{Path, PathBuf};

use auto_launch::{AutoLaunch, AutoLaunchBuilder};
use postroom_desktop::MINIMIZED_ARG;
use serde::{Deserialize, Serialize};

/// What the tray menu's check items show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DesktopSettings {
    /// Open in the tray only, with no window.
    pub start_minimized: bool,
    /// Start when the user logs in (always in the tray only).
    pub start_at_login: bool,
}

/// What is saved in `desktop.json`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Saved {
    #[serde(default)]
    start_minimized: bool,
}

pub struct Desktop {
    path: PathBuf,
    autolaunch: Option<AutoLaunch>,
}

impl Desktop {
    pub fn new(data_dir: &Path) -> Desktop {
        let autolaunch = std::env::current_exe().ok().and_then(|exe| {
            AutoLaunchBuilder::new()
                .set_app_name("Postroom")
                .set_app_path(&exe.to_string_lossy())
                .set_use_launch_agent(true)
                .set_args(&[MINIMIZED_ARG])
                .build()
                .ok()
        });
        Desktop {
            path: data_dir.join("desktop.json"),
            autolaunch,
        }
    }

    /// The settings in effect; the defaults for what cannot be read.
    pub fn load(&self) -> DesktopSettings {
        let saved: Saved = std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        DesktopSettings {
            start_minimized: saved.start_minimized,
            start_at_login: self
                .autolaunch
                .as_ref()
                .is_some_and(|a| a.is_enabled().unwrap_or(false)),
        }
    }

    pub fn set_start_minimized(&self, on: bool) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(&Saved {
            start_minimized: on,
        })
        .map_err(std::io::Error::other)?;
        engine::files::write_atomic(&self.path, &json)
    }

    pub fn set_start_at_login(&self, on: bool) -> std::io::Result<()> {
        let autolaunch = self
            .autolaunch
            .as_ref()
            .ok_or_else(|| std::io::Error::other("this system has no place for login items"))?;
        let changed = if on {
            // auto-launch makes `autostart` but not a missing `~/.config` above it.
            #[cfg(target_os = "linux")]
            if let Some(home) = std::env::var_os("HOME") {
                std::fs::create_dir_all(Path::new(&home).join(".config/autostart"))?;
            }
            autolaunch.enable()
        } else {
            autolaunch.disable()
        };
        changed.map_err(std::io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_minimized_is_kept_in_desktop_json() {
        let dir = std::env::temp_dir().join(format!("postroom-desktop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let desktop = Desktop::new(&dir);
        // No file yet: open the window.
        assert!(!desktop.load().start_minimized);
        desktop.set_start_minimized(true).expect("save");
        assert!(Desktop::new(&dir).load().start_minimized);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
