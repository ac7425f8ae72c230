//! The engine the tray app shows and controls: its own, in this process, or the system
//! service's, through the loopback admin API (`client.rs`).

use std::net::SocketAddr;
use std::path::Path;

use engine::EngineHandle;
use engine::api::status::{ListenerStatus, QueueCounts};
use serde::Deserialize;

use crate::client::Client;

#[derive(Clone)]
pub enum Backend {
    /// The engine runs here, with a private admin listener for the window.
    InProcess {
        engine: EngineHandle,
        admin: SocketAddr,
    },
    /// The service's engine.
    Service(Client),
}

/// What the tray needs of `GET /api/status`.
#[derive(Debug, Clone, Deserialize)]
pub struct Health {
    pub listeners: Vec<ListenerStatus>,
    pub receiving_paused: bool,
    pub queue: QueueCounts,
}

impl Backend {
    pub async fn health(&self) -> Result<Health, String> {
        match self {
            Backend::InProcess { engine, .. } => {
                let status = engine.status().await.map_err(|e| e.to_string())?;
                Ok(Health {
                    listeners: status.listeners,
                    receiving_paused: status.receiving_paused,
                    queue: status.queue,
                })
            }
            Backend::Service(client) => client.get("/api/status").await,
        }
    }

    pub async fn set_receiving_paused(&self, paused: bool) -> Result<(), String> {
        match self {
            Backend::InProcess { engine, .. } => engine
                .set_receiving_paused(paused)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Backend::Service(client) => client
                .put::<serde_json::Value>(
                    "/api/receiving",
                    &serde_json::json!({ "paused": paused }),
                )
                .await
                .map(|_| ()),
        }
    }

    /// The data directory whose sign-in codes the admin listener accepts, and its address.
    pub fn admin(&self) -> (&Path, SocketAddr) {
        match self {
            Backend::InProcess { engine, admin } => (engine.data_dir(), *admin),
            Backend::Service(client) => (&client.data_dir, client.admin),
        }
    }

    /// The engine to stop when the app quits (a service's keeps running).
    pub fn own_engine(&self) -> Option<&EngineHandle> {
        match self {
            Backend::InProcess { engine, .. } => Some(engine),
            Backend::Service(_) => None,
        }
    }
}
