//! The data directory: `postroom.toml`, `postroom.db`, `tls/`, tokens, logs. Everything in
//! it is private: mail, DKIM keys (in the database), TLS keys, relay and DDNS passwords
//! (in postroom.toml). On Unix the directory and its subdirectories are 0700 and every file
//! 0600 (fixed at every start, for data directories made by older versions); on Windows the
//! directory has a protected ACL for SYSTEM, Administrators and the user (see
//! [`files::private_dir`]).
//!
//! Where it is by default: [`default_dir`] (a per-user engine) and [`service_dir`] (the
//! engine as a Windows service).

use std::path::{Path, PathBuf};

use config::{Config, ConfigError};

use crate::EngineError;

pub fn config_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postroom.toml")
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postroom.db")
}

/// The data directory of an engine run by a user (`postroom serve`, the tray app):
/// `~/.local/share/postroom` on Linux (XDG_DATA_HOME), `~/Library/Application
/// Support/postroom` on macOS, `%LOCALAPPDATA%\Postroom` on Windows (local, not roaming: a
/// mail database does not belong in a roaming profile copied at every sign-in).
pub fn default_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    {
        std::env::var_os("LOCALAPPDATA")
            .filter(|v| !v.is_empty())
            .map(|dir| PathBuf::from(dir).join("Postroom"))
    }
    #[cfg(not(windows))]
    {
        let home = std::env::var_os("HOME").filter(|v| !v.is_empty());
        if cfg!(target_os = "macos") {
            return home.map(|h| PathBuf::from(h).join("Library/Application Support/postroom"));
        }
        std::env::var_os("XDG_DATA_HOME")
            .filter(|v| Path::new(v).is_absolute())
            .map(PathBuf::from)
            .or_else(|| home.map(|h| PathBuf::from(h).join(".local/share")))
            .map(|dir| dir.join("postroom"))
    }
}

/// The data directory of the Windows service: `%ProgramData%\Postroom`
/// (`C:\ProgramData\Postroom`). Elsewhere the service's directory is given by its unit
/// (`/var/lib/postroom`) or plist (`/Library/Application Support/Postroom`).
pub fn service_dir() -> PathBuf {
    let program_data = std::env::var_os("ProgramData")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
    program_data.join("Postroom")
}

/// Makes the data directory if needed and makes it and everything in it private.
pub fn prepare(data_dir: &Path) -> std::io::Result<()> {
    files::private_dir(data_dir)
}

/// Loads `postroom.toml`; on first start writes one with the defaults and every key explained.
pub fn load_or_init_config(data_dir: &Path) -> Result<Config, EngineError> {
    let path = config_path(data_dir);
    if !path.exists() {
        prepare(data_dir).map_err(|source| EngineError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let defaults = Config::with_hostname(&config::system_hostname());
        files::write_atomic(&path, defaults.to_annotated_toml().as_bytes()).map_err(|source| {
            ConfigError::Io {
                path: path.clone(),
                source,
            }
        })?;
        tracing::info!(path = %path.display(), "wrote a default configuration");
    }
    Ok(Config::load(&path)?)
}

/// `DATA_DIR/engine-control`: how a desktop app reaches an engine the system runs (the
/// Windows service, a systemd unit, a launchd daemon): the URL of a loopback admin listener
/// made for it and the admin token. Private like every file here: on Windows the data
/// directory's ACL lets SYSTEM, Administrators and the installing user read it; on Unix
/// only the service's user (and root).
pub const CONTROL_FILE: &str = "engine-control";

/// The content of [`CONTROL_FILE`] (JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineControl {
    /// `http://127.0.0.1:PORT`: the admin API and web admin.
    pub url: String,
    /// The admin API's bearer token.
    pub token: String,
    /// The engine's process id.
    pub pid: u32,
}

/// Serves the admin API on a new loopback port for desktop apps and writes
/// [`CONTROL_FILE`] naming it.
pub async fn publish_control(engine: &crate::EngineHandle) -> std::io::Result<EngineControl> {
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    engine.serve_admin(listener);
    let control = EngineControl {
        url,
        token: crate::admin_token(engine.data_dir())?,
        pid: std::process::id(),
    };
    let json = serde_json::to_vec_pretty(&control).map_err(std::io::Error::other)?;
    files::write_atomic(&engine.data_dir().join(CONTROL_FILE), &json)?;
    Ok(control)
}

/// Removes [`CONTROL_FILE`] (the engine stopped); a missing file is fine.
pub fn withdraw_control(data_dir: &Path) {
    match std::fs::remove_file(data_dir.join(CONTROL_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, "cannot remove {CONTROL_FILE}"),
    }
}

/// Reads [`CONTROL_FILE`].
pub fn read_control(data_dir: &Path) -> std::io::Result<EngineControl> {
    let text = std::fs::read(data_dir.join(CONTROL_FILE))?;
    serde_json::from_slice(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
