//! The admin context: what the management API's operations on domains, accounts, aliases and
//! the outbound queue need (the data directory and its store), with or without a running
//! engine. A running engine lends its own ([`crate::EngineHandle::admin`]); the CLI opens one
//! on the data directory ([`AdminContext::open`]), so the CLI, the panel and the desktop app
//! go through the same operations, checks and error texts (`crate::api`).
//!
//! The CLI's context opens the same database as a running server: SQLite in WAL mode lets
//! both write, and the server reads every lookup from the database, so changes take effect
//! at once.

use std::path::{Path, PathBuf};

use store::Store;

use crate::api::{ApiError, ApiResult};
use crate::datadir::database_path;

/// The data directory and its store; cheap to clone.
#[derive(Clone)]
pub struct AdminContext {
    pub(crate) store: Store,
    pub(crate) data_dir: PathBuf,
}

impl AdminContext {
    /// Opens the store of a data directory (creating it on first use, private) without
    /// starting an engine.
    pub fn open(data_dir: &Path) -> ApiResult<AdminContext> {
        crate::datadir::prepare(data_dir).map_err(|e| {
            ApiError::internal(format!("data directory {}: {e}", data_dir.display()))
        })?;
        let store = Store::open(&database_path(data_dir))?;
        Ok(AdminContext {
            store,
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}
