//! The admin HTTP server: the management API as JSON under `/api/`, a live event stream
//! (Server-Sent Events), and the web admin's page. Every `/api/` request needs the bearer
//! token (`Authorization: Bearer ...`) or a session cookie from `POST /api/session`; every
//! failure is an [`ApiError`] as JSON.
//!
//! A web page in the same browser must not be able to use the panel's session: request
//! bodies must be `application/json` (a cross-site form or `text/plain` fetch cannot send
//! that without a CORS preflight, which is never answered), unsafe methods must come from
//! the panel's own origin, and only known Host names are served (DNS rebinding). See
//! `guard.rs`.
//!
//! # Layout
//! - `mod.rs`: [`Admin`], the router, errors as JSON, [`JsonBody`].
//! - `serve.rs`: the accept loop: a connection cap, TLS handshakes (non-loopback) with a
//!   deadline, hyper with a header-read timeout.
//! - `guard.rs`: Host names, Origin / Sec-Fetch-Site of unsafe requests.
//! - `auth.rs`: the token file, session cookies (with idle and absolute expiry), one-time
//!   sign-in links.
//! - `signin.rs`: `POST /api/session` and `GET /signin`: the admin's own lockout, never
//!   locking out this computer (loopback).
//! - `dynip.rs`: the routes of DDNS, collection jobs, ETRN entries and the doctor.
//! - `routes.rs`: one small handler per endpoint, each a call on `EngineHandle`.
//! - `setup.rs`: the routes of the first-run wizard, pausing, the certificate, reloads.
//! - `ui.rs`: the web UI built into the binary (`ui/dist`), with an SPA fallback.

mod auth;
mod dynip;
mod guard;
mod routes;
mod serve;
mod setup;
mod signin;
mod ui;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

pub use auth::{admin_token, same, signin_url, signin_url_at, write_private};

use crate::api::{ApiError, codes};
use crate::{EngineError, EngineHandle};

/// Largest request body accepted.
const BODY_LIMIT: usize = 64 * 1024;
/// How long a request body may take to arrive (it is at most `BODY_LIMIT`).
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The admin server's state; cheap to clone.
#[derive(Clone)]
pub(crate) struct Admin {
    engine: EngineHandle,
}

/// Whether the request came over HTTPS (non-loopback listeners), for the cookie's `Secure`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Https(pub bool);

/// What every admin listener shares, kept by the engine: the token, the sessions and the
/// connection slots.
pub(crate) struct AdminState {
    token: String,
    /// Session cookies handed out since start.
    sessions: auth::Sessions,
    /// Connections open on every admin listener together.
    connections: net::ConnLimiter,
}

impl AdminState {
    /// Reads (or makes) the token of `data_dir`.
    pub(crate) fn load(data_dir: &Path) -> Result<AdminState, EngineError> {
        let token = admin_token(data_dir).map_err(|source| EngineError::DataDir {
            path: data_dir.join(auth::TOKEN_FILE),
            source,
        })?;
        Ok(AdminState {
            token,
            sessions: auth::Sessions::default(),
            connections: net::ConnLimiter::new(serve::MAX_PER_IP, serve::MAX_CONNECTIONS),
        })
    }
}

impl Admin {
    pub(crate) fn new(engine: EngineHandle) -> Admin {
        Admin { engine }
    }

    fn state(&self) -> &AdminState {
        &self.engine.shared.admin
    }

    pub(super) fn engine(&self) -> &EngineHandle {
        &self.engine
    }

    fn router(&self) -> Router {
        routes::router(self.clone())
            .fallback(ui::serve)
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            // Outermost after the headers: a refused Host or origin reaches no handler.
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                guard::guard,
            ))
            .layer(axum::middleware::map_response(ui::security_headers))
    }
}

/// The client's address, for the sign-in lockout; from plain and TLS listeners alike.
#[derive(Debug, Clone, Copy)]
pub(super) struct Peer(pub SocketAddr);

/// The HTTP status of each error code.
fn status_of(code: &str) -> StatusCode {
    match code {
        codes::NOT_FOUND => StatusCode::NOT_FOUND,
        codes::ALREADY_EXISTS => StatusCode::CONFLICT,
        codes::INVALID => StatusCode::BAD_REQUEST,
        codes::UNAUTHORIZED => StatusCode::UNAUTHORIZED,
        codes::TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        codes::OVER_QUOTA => StatusCode::INSUFFICIENT_STORAGE,
        codes::FORBIDDEN => StatusCode::FORBIDDEN,
        codes::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        codes::MISDIRECTED => StatusCode::MISDIRECTED_REQUEST,
        codes::PASSWORD_AGAIN => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (status_of(&self.code), axum::Json(self)).into_response()
    }
}

/// A JSON request body whose failures are [`ApiError`]s (axum's own are plain text):
/// another Content-Type than `application/json` is 415 `unsupported_media_type` (what a
/// cross-site form or `text/plain` request would carry), too large is 413 `too_large`, too
/// slow or unreadable is 400 `invalid`.
pub(crate) struct JsonBody<T>(pub T);

/// RFC 9110 §8.3.1: the media type is case-insensitive and may carry parameters
/// (`application/json; charset=utf-8`).
fn is_json(content_type: Option<&axum::http::HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::new(
                codes::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with `Content-Type: application/json`",
            ));
        }
        let read = tokio::time::timeout(BODY_TIMEOUT, Bytes::from_request(req, state))
            .await
            .map_err(|_| ApiError::new(codes::INVALID, "the request body took too long"))?;
        let bytes = read.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    codes::TOO_LARGE,
                    format!("the request body is larger than {} KiB", BODY_LIMIT / 1024),
                )
            } else {
                ApiError::new(codes::INVALID, rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::new(codes::INVALID, format!("malformed JSON: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_its_status() {
        assert_eq!(status_of("not_found"), StatusCode::NOT_FOUND);
        assert_eq!(status_of("already_exists"), StatusCode::CONFLICT);
        assert_eq!(status_of("invalid"), StatusCode::BAD_REQUEST);
        assert_eq!(status_of("unauthorized"), StatusCode::UNAUTHORIZED);
        assert_eq!(status_of("too_large"), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status_of("internal"), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status_of("forbidden"), StatusCode::FORBIDDEN);
        assert_eq!(
            status_of("unsupported_media_type"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(status_of("misdirected"), StatusCode::MISDIRECTED_REQUEST);
    }

    #[test]
    fn only_json_bodies_are_read() {
        let value = |v: &'static str| axum::http::HeaderValue::from_static(v);
        assert!(is_json(Some(&value("application/json"))));
        assert!(is_json(Some(&value("Application/JSON; charset=utf-8"))));
        assert!(!is_json(Some(&value("text/plain"))));
        assert!(!is_json(Some(&value("application/x-www-form-urlencoded"))));
        assert!(!is_json(Some(&value("application/jsonx"))));
        assert!(!is_json(None));
    }
}
