//! Is the engine installed as a system service on this computer (the Windows service
//! "Postroom", the systemd unit postroom.service, the launchd daemon com.postroom.mail)?
//! Then the tray app is its client over the loopback admin API named in the service's
//! `engine-control` file, instead of running a second engine that would fight it for the
//! ports.

use std::path::PathBuf;
use std::process::Command;

/// Tests (and unusual set-ups) name a service's data directory here: the tray app then
/// takes the engine that writes `engine-control` there for the service.
pub const SERVICE_DATA_ENV: &str = "POSTROOM_SERVICE_DATA";

/// What the system says about the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    NotInstalled,
    Installed { data_dir: PathBuf, running: bool },
}

pub fn find() -> Found {
    if let Some(dir) = std::env::var_os(SERVICE_DATA_ENV).filter(|v| !v.is_empty()) {
        return Found::Installed {
            data_dir: dir.into(),
            running: true,
        };
    }
    match query() {
        Some(running) => Found::Installed {
            data_dir: data_dir(),
            running,
        },
        None => Found::NotInstalled,
    }
}

/// The service's data directory, as its installer sets it.
fn data_dir() -> PathBuf {
    if cfg!(windows) {
        engine::service_data_dir()
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Postroom")
    } else {
        PathBuf::from("/var/lib/postroom")
    }
}

/// `Some(running)` when installed; `None` when not (or the service manager cannot be asked).
fn query() -> Option<bool> {
    #[cfg(windows)]
    {
        // `postroom.exe service status` (installed next to this program) asks the SCM.
        use std::os::windows::process::CommandExt;
        let program = postroom_desktop::sibling("postroom").ok()?;
        let out = Command::new(program)
            .args(["service", "status"])
            .creation_flags(0x0800_0000) // CREATE_NO_WINDOW
            .output()
            .ok()?;
        match String::from_utf8_lossy(&out.stdout).trim() {
            "running" => Some(true),
            "stopped" => Some(false),
            _ => None,
        }
    }
    #[cfg(target_os = "macos")]
    {
        let out = Command::new("launchctl")
            .args(["print", "system/com.postroom.mail"])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).contains("state = running"))
    }
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let out = Command::new("systemctl")
            .args([
                "show",
                "-p",
                "LoadState",
                "-p",
                "ActiveState",
                "postroom.service",
            ])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        parse_systemctl(&text)
    }
}

/// `LoadState=loaded` / `ActiveState=active` lines of `systemctl show`.
#[cfg_attr(any(windows, target_os = "macos"), allow(dead_code))]
fn parse_systemctl(text: &str) -> Option<bool> {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
    };
    (value("LoadState") == Some("loaded")).then(|| {
        matches!(
            value("ActiveState"),
            Some("active" | "activating" | "reloading")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemctl_says_loaded_and_active_or_not_found() {
        assert_eq!(
            parse_systemctl("LoadState=loaded\nActiveState=active\n"),
            Some(true)
        );
        assert_eq!(
            parse_systemctl("LoadState=loaded\nActiveState=failed\n"),
            Some(false)
        );
        assert_eq!(
            parse_systemctl("LoadState=not-found\nActiveState=inactive\n"),
            None
        );
    }
}
