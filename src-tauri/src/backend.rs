//! The engine the tray app shows and controls: its own (`child.rs`, a `postroom serve`
//! process it started) or the system service's, both through the loopback admin API named in
//! the data directory's `engine-control` file (`client.rs`). The file is read for each
//! request: an engine that was started again listens on a new port.

use std::path::PathBuf;
use std::sync::Arc;

use engine::api::status::{ListenerStatus, QueueCounts};
use serde::Deserialize;

use crate::child::Engine;
use crate::client::Client;

#[derive(Clone)]
pub struct Backend {
    /// The engine's data directory (its `engine-control`, its sign-in codes).
    data_dir: PathBuf,
    /// The engine this app started, to stop when it quits; `None` for a service's.
    own: Option<Arc<Engine>>,
}

/// What the tray needs of `GET /api/status`.
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    pub listeners: Vec<ListenerStatus>,
    pub receiving_paused: bool,
    pub queue: QueueCounts,
}

impl Backend {
    /// The engine this app started in `data_dir`.
    pub fn own(data_dir: PathBuf, engine: Arc<Engine>) -> Backend {
        Backend {
            data_dir,
            own: Some(engine),
        }
    }

    /// The engine the system runs as a service in `data_dir`.
    pub fn service(data_dir: PathBuf) -> Backend {
        Backend {
            data_dir,
            own: None,
        }
    }

    fn client(&self) -> Result<Client, String> {
        Client::connect(&self.data_dir)
    }

    pub async fn health(&self) -> Result<Health, String> {
        self.client()?.get("/api/status").await
    }

    pub async fn set_receiving_paused(&self, paused: bool) -> Result<(), String> {
        self.client()?
            .put::<serde_json::Value>("/api/receiving", &serde_json::json!({ "paused": paused }))
            .await
            .map(|_| ())
    }

    /// A one-time sign-in link to the engine's loopback admin listener (a service's too: who
    /// can read its engine-control file may write its sign-in codes).
    pub fn signin_link(&self) -> Result<String, String> {
        let client = self.client()?;
        engine::signin_url_at(&self.data_dir, client.admin).map_err(|e| e.to_string())
    }

    /// The engine to stop when the app quits (a service's keeps running).
    pub fn own_engine(&self) -> Option<&Arc<Engine>> {
        self.own.as_ref()
    }
}
