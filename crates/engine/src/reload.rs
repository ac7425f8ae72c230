//! Applying `postroom.toml` while the engine runs: each changed key is applied at once where
//! it can be (new connections get the new settings, the queue restarts with new routes,
//! listeners move, the certificate is reloaded, dynamic DNS, collection jobs and ETRN
//! entries are updated in place) or reported as needing a restart.

use std::sync::Arc;

use config::Config;
use serde_json::Value as Json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::settings::to_json_with_secrets;
use crate::api::{ApiError, ApiResult};
use crate::{EngineHandle, config_path};

/// What a reload did, by settings key (`limits.max_message_size`, `route`...).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reloaded {
    /// In effect now (for new connections and queue attempts).
    pub applied: Vec<String>,
    /// Saved, in effect after a restart.
    pub pending_restart: Vec<String>,
}

/// The outbound queue, restartable with new settings.
#[derive(Default)]
pub(crate) struct Outbound {
    current: tokio::sync::Mutex<Option<(CancellationToken, JoinHandle<()>)>>,
}

impl Outbound {
    /// Starts the queue with `config`. A running one is stopped first, in the background:
    /// its attempts in progress finish (or are made again by the new one: at least once,
    /// never lost) before the new one starts.
    pub async fn start(
        &self,
        config: Arc<Config>,
        store: store::Store,
        shutdown: &CancellationToken,
        tracker: &TaskTracker,
    ) -> Result<(), queue::QueueError> {
        let stop = shutdown.child_token();
        // Made first, so settings it cannot use leave the running queue alone.
        let queue = queue::Queue::new(config, store, stop.clone())?;
        let mut current = self.current.lock().await;
        let previous = current.take();
        let task = tracker.spawn(async move {
            if let Some((old, task)) = previous {
                old.cancel();
                let _ = task.await;
            }
            queue.run().await;
        });
        *current = Some((stop, task));
        Ok(())
    }
}

/// The keys whose values differ: `section.key` inside sections, else the top-level key.
pub(crate) fn changed_keys(old: &Json, new: &Json) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (old, new) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut changed = Vec::new();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (a, b) if a == b => {}
            (Some(Json::Object(a)), Some(Json::Object(b))) => {
                let mut inner: Vec<&String> = a.keys().chain(b.keys()).collect();
                inner.sort();
                inner.dedup();
                changed.extend(
                    inner
                        .into_iter()
                        .filter(|k| a.get(*k) != b.get(*k))
                        .map(|k| format!("{key}.{k}")),
                );
            }
            _ => changed.push(key.clone()),
        }
    }
    changed
}

fn section(key: &str) -> &str {
    key.split('.').next().unwrap_or(key)
}

impl EngineHandle {
    /// Reads `postroom.toml` again and applies what changed (also on SIGHUP).
    pub async fn reload(&self) -> ApiResult<Reloaded> {
        let _one_at_a_time = self.shared.reload.lock().await;
        let path = config_path(self.data_dir());
        let new = Config::load(&path).map_err(|e| ApiError::invalid("", e.to_string()))?;
        let old = self.shared.runtime.config();
        // With secrets: a changed password alone is a change to apply.
        let changed = changed_keys(&to_json_with_secrets(&old)?, &to_json_with_secrets(&new)?);
        let mut done = Reloaded::default();
        // Listeners that were down (a port in use) are tried again on every reload.
        let retry = self.listener_status().iter().any(|l| !l.up);
        if changed.is_empty() {
            if retry {
                self.sync_listeners().await;
            }
            return Ok(done);
        }
        let mut failed: Vec<&str> = Vec::new();
        let any = |s: &[&str]| changed.iter().any(|k| s.contains(&section(k)));
        // A changed hostname keeps the self-signed certificate made for the old one: the
        // control panel replaces it (PUT /api/certificate, the wizard).
        if any(&["tls"]) {
            match net::load_certified_key(self.data_dir(), &new.tls, &new.hostname) {
                Ok(key) => self.shared.runtime.cert.replace(key),
                Err(e) => {
                    tracing::error!(error = %e, "the new certificate settings cannot be used");
                    failed.push("tls");
                }
            }
        }
        self.shared.runtime.apply(new.clone());
        let config = self.shared.runtime.config();
        if any(&["dns", "route", "queue"]) {
            let started = self
                .shared
                .outbound
                .start(
                    config.clone(),
                    self.store().clone(),
                    &self.shutdown,
                    &self.tracker,
                )
                .await;
            if let Err(e) = started {
                tracing::error!(error = %e, "the queue keeps its old settings until a restart");
                failed.extend(["dns", "route", "queue"]);
            }
        }
        if retry || any(&["listen"]) {
            self.sync_listeners().await;
        }
        if cfg!(windows) && any(&["listen"]) {
            self.sync_firewall(config.clone());
        }
        if any(&["ddns"])
            && let Err(e) = self.shared.ddns.restart(&config.ddns)
        {
            tracing::error!(error = %e, "dynamic DNS keeps its old settings until a restart");
            failed.push("ddns");
        }
        // Jobs and entries whose settings did not change keep running with their state.
        if any(&["collect", "hostname", "limits"]) {
            self.shared.collector.update(&config);
        }
        if any(&["etrn", "hostname", "dns"]) {
            self.shared.etrn.update(&config);
        }
        for key in changed {
            // Whether a key applies live is part of its declaration (`config::schema`).
            if config::schema::is_live(&key) && !failed.contains(&section(&key)) {
                done.applied.push(key);
            } else {
                done.pending_restart.push(key);
            }
        }
        self.shared
            .pending_restart()
            .extend(done.pending_restart.iter().cloned());
        tracing::info!(
            applied = ?done.applied,
            pending_restart = ?done.pending_restart,
            "settings reloaded"
        );
        Ok(done)
    }

    /// Windows: the firewall rules follow the new ports, when Postroom keeps them (`service
    /// install` or `firewall sync` made them). A failure (not an administrator) is logged:
    /// the listeners serve anyway.
    fn sync_firewall(&self, config: Arc<Config>) {
        let data_dir = self.data_dir().to_path_buf();
        if !crate::firewall::managed(&data_dir) {
            return;
        }
        self.tracker.spawn_blocking(move || {
            let synced = std::env::current_exe()
                .map_err(crate::firewall::FirewallError::Netsh)
                .and_then(|exe| crate::firewall::sync(&data_dir, &config, &exe));
            match synced {
                Ok(rules) => tracing::info!(rules = rules.len(), "firewall rules updated"),
                Err(e) => tracing::warn!(error = %e, "firewall rules not updated"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_keys_name_the_key_inside_its_section() {
        let old = serde_json::json!({
            "hostname": "a.test", "limits": { "max_message_size": 1, "max_recipients": 2 },
            "route": [{ "domains": ["*"] }]
        });
        let new = serde_json::json!({
            "hostname": "b.test", "limits": { "max_message_size": 5, "max_recipients": 2 },
            "route": [], "ddns": { "provider": "x" }
        });
        assert_eq!(
            changed_keys(&old, &new),
            ["ddns", "hostname", "limits.max_message_size", "route"]
        );
    }
}
