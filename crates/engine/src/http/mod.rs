//! The admin HTTP server: the management API as JSON under `/api/`, a live event stream
//! (Server-Sent Events), and the web admin's page. Every `/api/` request needs the bearer
//! token (`Authorization: Bearer ...`) or a session cookie from `POST /api/session`; every
//! failure is an [`ApiError`] as JSON.
//!
//! # Layout
//! - `mod.rs`: [`Admin`], the router, serving plain (loopback) or over TLS, errors as JSON.
//! - `auth.rs`: the token file, session cookies, one-time sign-in links.
//! - `connect.rs`: the routes of DDNS, collection jobs, ETRN entries and the doctor.
//! - `routes.rs`: one small handler per endpoint, each a call on `EngineHandle`.
//! - `setup.rs`: the routes of the first-run wizard, pausing, the certificate, reloads.
//! - `tls.rs`: a TLS listener for non-loopback admin addresses.
//! - `ui.rs`: the web UI built into the binary (`ui/dist`), with an SPA fallback.

mod auth;
mod connect;
mod routes;
mod setup;
mod tls;
mod ui;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use auth::{admin_token, same, signin_url, signin_url_at, write_private};

use crate::api::{ApiError, codes};
use crate::{EngineError, EngineHandle};

/// Largest request body accepted.
const BODY_LIMIT: usize = 64 * 1024;

/// The admin server's state; cheap to clone.
#[derive(Clone)]
pub(crate) struct Admin {
    engine: EngineHandle,
}

/// Whether the request came over HTTPS (non-loopback listeners), for the cookie's `Secure`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Https(pub bool);

/// What every admin listener shares, kept by the engine: the token and the sessions.
pub(crate) struct AdminState {
    token: String,
    /// Session cookie values handed out since start.
    sessions: Mutex<HashSet<String>>,
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
            sessions: Mutex::default(),
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

    /// Serves one listener until `stop`: plain HTTP on loopback, HTTPS elsewhere (config
    /// validation allows other addresses only with a certificate).
    pub(crate) async fn serve(self, listener: TcpListener, stop: CancellationToken) {
        let loopback = listener
            .local_addr()
            .is_ok_and(|addr| addr.ip().is_loopback());
        let tls = self.engine.shared.runtime.acceptor.clone();
        let app = self
            .router()
            .layer(Extension(Https(!loopback)))
            .into_make_service_with_connect_info::<Peer>();
        let result = if loopback {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        } else {
            let listener = tls::TlsListener::new(listener, tls);
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        };
        if let Err(e) = result {
            tracing::warn!(service = "admin", error = %e, "admin server stopped");
        }
    }

    pub(super) fn engine(&self) -> &EngineHandle {
        &self.engine
    }

    fn router(&self) -> Router {
        routes::router(self.clone())
            .fallback(ui::serve)
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .layer(axum::middleware::map_response(ui::security_headers))
    }
}

/// The client's address, for the sign-in lockout; from plain and TLS listeners alike.
#[derive(Debug, Clone, Copy)]
pub(super) struct Peer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TcpListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, tls::TlsListener>>
    for Peer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, tls::TlsListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// The HTTP status of each error code.
fn status_of(code: &str) -> StatusCode {
    match code {
        codes::NOT_FOUND => StatusCode::NOT_FOUND,
        codes::ALREADY_EXISTS => StatusCode::CONFLICT,
        codes::INVALID => StatusCode::BAD_REQUEST,
        codes::UNAUTHORIZED => StatusCode::UNAUTHORIZED,
        codes::TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        codes::OVER_QUOTA => StatusCode::INSUFFICIENT_STORAGE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (status_of(&self.code), axum::Json(self)).into_response()
    }
}

/// A JSON request body whose failures are [`ApiError`]s (axum's own are plain text):
/// too large is 413 `too_large`, anything unreadable is 400 `invalid`.
pub(crate) struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
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
    }
}
