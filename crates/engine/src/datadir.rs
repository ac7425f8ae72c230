//! The data directory: `postroom.toml`, `postroom.db`, `tls/`.

use std::path::{Path, PathBuf};

use config::{Config, ConfigError};

use crate::EngineError;

pub fn config_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postroom.toml")
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("postroom.db")
}

/// Loads `postroom.toml`; on first start writes one with the defaults and every key explained.
pub fn load_or_init_config(data_dir: &Path) -> Result<Config, EngineError> {
    let path = config_path(data_dir);
    if !path.exists() {
        std::fs::create_dir_all(data_dir).map_err(|source| EngineError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let defaults = Config::with_hostname(&config::system_hostname());
        std::fs::write(&path, defaults.to_annotated_toml()).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        tracing::info!(path = %path.display(), "wrote a default configuration");
    }
    Ok(Config::load(&path)?)
}
