//! The connectivity doctor: every check of `dynip::doctor` for the running
//! configuration and the local domains, and the one-click fix for a blocked port 25: a
//! catch-all `[[route]]` through the ISP's smart host, written through the settings edit
//! path (validated, comments kept, applied at once).

use serde::Deserialize;
use serde_json::{Value as Json, json};

pub use dynip::doctor::{Check, Lang, Message, Status};

use super::settings::Settings;
use super::{ApiError, ApiResult};
use crate::EngineHandle;

/// `POST /api/doctor/smart-host`: the ISP's relay to send everything through.
#[derive(Debug, Clone, Deserialize)]
pub struct SmartHost {
    /// Host name or IP address.
    pub host: String,
    /// Usually 587 (STARTTLS) or 465 (implicit TLS).
    pub port: u16,
    /// "starttls" (default), "implicit" or "none".
    #[serde(default)]
    pub tls: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// PEM file of the authority the relay's certificate chains to (default: public roots).
    #[serde(default)]
    pub ca: Option<String>,
}

impl SmartHost {
    /// The `[[route]]` table as settings JSON.
    fn route(&self) -> Json {
        let host = self.host.trim();
        let relay = if host.contains(':') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        };
        let mut route = json!({
            "domains": ["*"],
            "relay": [relay],
            "tls": self.tls.as_deref().unwrap_or("starttls"),
        });
        for (key, value) in [
            ("username", &self.username),
            ("password", &self.password),
            ("ca", &self.ca),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                route[key] = Json::String(value.to_string());
            }
        }
        route
    }
}

impl crate::admin::AdminContext {
    /// Runs every check for `config` and the domains in the store (also `postroom doctor`).
    pub async fn doctor(&self, config: &config::Config) -> ApiResult<Vec<Check>> {
        let domains: Vec<String> = self
            .store()
            .list_domains()
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect();
        Ok(dynip::doctor::run(config, &domains).await)
    }
}

impl EngineHandle {
    /// `POST /api/doctor`: every check, in a fixed order.
    pub async fn doctor(&self) -> ApiResult<Vec<Check>> {
        self.admin().doctor(&self.config()).await
    }

    /// `POST /api/doctor/smart-host`: makes `smart` the route for every domain: replaces
    /// the first route with domain `*`, or adds one after the others (the first match wins,
    /// so per-domain routes keep theirs). Returns the settings as `PUT /api/settings` does.
    pub async fn doctor_smart_host(&self, smart: SmartHost) -> ApiResult<Settings> {
        if smart.host.trim().is_empty() {
            return Err(ApiError::invalid("host", "enter the smart host's name"));
        }
        if smart.port == 0 {
            return Err(ApiError::invalid("port", "enter the smart host's port"));
        }
        let current = self.settings().await?.settings;
        // As GET shows them: passwords read `********`, which the edit keeps as they are.
        let mut routes: Vec<Json> = current
            .get("route")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let catch_all = routes.iter().position(|r| {
            r.get("domains")
                .and_then(Json::as_array)
                .is_some_and(|d| d.iter().any(|p| p == "*"))
        });
        match catch_all {
            Some(i) => routes[i] = smart.route(),
            None => routes.push(smart.route()),
        }
        self.update_settings(json!({ "route": routes })).await
    }
}
