//! The management API: one set of operations on [`EngineHandle`](crate::EngineHandle) with
//! serde DTOs and one error shape, [`ApiError`]. Every front end calls it: the admin HTTP
//! server (`crate::http`), the desktop app's commands and the CLI (the operations on
//! domains, accounts, aliases and the queue run on [`crate::admin::AdminContext`], which needs
//! no running engine).
//!
//! # Layout
//! - `mod.rs`: [`ApiError`] and its codes; store errors mapped to them.
//! - `status.rs`: uptime, version, listeners (up or down), queue counts, traffic counters
//!   and their 24-hour history; pausing and resuming receiving.
//! - `domains.rs`: domains and the DNS records to publish (shared with `postroom domain dns`).
//! - `accounts.rs`, `aliases.rs`: add, list, remove, edit.
//! - `queue.rs`: the outbound queue: list with a state filter, one entry's attempts, retry,
//!   delete, hold, release.
//! - `log.rs`: the live log (recent entries, a subscription) and store changes as events.
//! - `settings.rs`: `postroom.toml` read as JSON and edited with toml_edit (comments kept),
//!   validated before it is saved, then applied live where possible.
//! - `secrets.rs`: stored passwords kept through an edit only where they went before.
//! - `setup.rs`: the first-run wizard and the admin password.
//! - `certificate.rs`: the server certificate: what it says, importing one.
//! - `collect.rs`: `[[collect]]` jobs' status, "run now", add / edit / remove (live).
//! - `ddns.rs`: `[ddns]`: the public addresses seen and each dynamic DNS record's state.
//! - `etrn.rs`: `[[etrn]]`: each backup MX's last ETRN run and per-domain answers; add /
//!   edit / remove (live), "run now".
//! - `table_entries.rs`: one entry of an array of tables (`[[collect]]`, `[[etrn]]`) added,
//!   replaced or removed by position through the settings.
//! - `doctor.rs`: the connectivity doctor's checks and its one-click smart-host fix.
//! - `filter.rs`: the content filter's allow and block lists and its classifiers' counts.

pub mod accounts;
pub mod aliases;
pub mod certificate;
pub mod collect;
pub mod ddns;
pub mod doctor;
pub mod domains;
pub mod etrn;
pub mod filter;
pub mod import;
pub mod log;
pub mod queue;
mod secrets;
pub mod settings;
pub mod setup;
pub mod status;
pub mod table_entries;

use serde::{Deserialize, Serialize};
use store::StoreError;

/// Every API failure. The UI branches on `code`; `message` is one plain sentence for a person;
/// `field` names the input (a JSON field or a settings key such as `limits.max_message_size`)
/// that caused a validation error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine text: see the `codes` constants.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The values of [`ApiError::code`].
pub mod codes {
    /// The named thing does not exist.
    pub const NOT_FOUND: &str = "not_found";
    /// The named thing exists already.
    pub const ALREADY_EXISTS: &str = "already_exists";
    /// The input is not acceptable; `field` says which, when known.
    pub const INVALID: &str = "invalid";
    /// No valid token or session.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// The request body is larger than the server accepts.
    pub const TOO_LARGE: &str = "too_large";
    /// The account's storage quota does not allow it.
    pub const OVER_QUOTA: &str = "over_quota";
    /// Something failed on the server (database, disk).
    pub const INTERNAL: &str = "internal";
    /// A request the panel's own pages would not send: from another site (Origin,
    /// Sec-Fetch-Site).
    pub const FORBIDDEN: &str = "forbidden";
    /// A request body that is not `application/json`.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    /// A Host name this server does not answer to (DNS rebinding).
    pub const MISDIRECTED: &str = "misdirected";
    /// A saved password would go to another server than before: `field` names it; enter it
    /// again.
    pub const PASSWORD_AGAIN: &str = "password_again";
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
            field: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(codes::NOT_FOUND, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(codes::INTERNAL, message)
    }

    /// A validation error about one input field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field.to_string()),
            ..ApiError::new(codes::INVALID, message)
        }
    }

    /// Names the input of an `invalid` error that has none yet (the store does not know
    /// which field of a request its input came from).
    pub fn on_field(mut self, field: &str) -> ApiError {
        if self.code == codes::INVALID && self.field.is_none() {
            self.field = Some(field.to_string());
        }
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let code = match e {
            StoreError::NotFound(_) => codes::NOT_FOUND,
            StoreError::AlreadyExists(_) => codes::ALREADY_EXISTS,
            StoreError::Invalid(_) => codes::INVALID,
            StoreError::OverQuota(_) => codes::OVER_QUOTA,
            _ => codes::INTERNAL,
        };
        ApiError::new(code, e.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_stable_codes() {
        let e = ApiError::from(StoreError::NotFound("unknown domain x.test".into()));
        assert_eq!(e.code, "not_found");
        assert_eq!(e.message, "unknown domain x.test");
        assert_eq!(
            ApiError::from(StoreError::AlreadyExists("a".into())).code,
            "already_exists"
        );
        assert_eq!(ApiError::from(StoreError::Closed).code, "internal");
    }

    #[test]
    fn on_field_names_only_invalid_errors() {
        let e = ApiError::from(StoreError::Invalid("too short".into())).on_field("password");
        assert_eq!(e.field.as_deref(), Some("password"));
        let e = ApiError::from(StoreError::NotFound("x".into())).on_field("password");
        assert_eq!(e.field, None);
    }

    #[test]
    fn serialises_without_an_absent_field() {
        let json = serde_json::to_string(&ApiError::not_found("gone")).expect("json");
        assert_eq!(json, r#"{"code":"not_found","message":"gone"}"#);
        let json = serde_json::to_string(&ApiError::invalid("name", "bad")).expect("json");
        assert_eq!(json, r#"{"code":"invalid","message":"bad","field":"name"}"#);
    }
}
