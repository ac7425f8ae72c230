//! The admin HTTP server: the management API as JSON under `/api/`, a live event stream
//! (Server-Sent Events), and the web admin's page. Every `/api/` request needs the bearer
//! token (`Authorization: Bearer ...`) or a session cookie from `POST /api/session`; every
//! failure is an [`ApiError`] as JSON.
//!
//! # Layout
//! - `mod.rs`: [`Admin`], the router, serving plain (loopback) or over TLS, errors as JSON.
//! - `auth.rs`: the token file, session cookies, one-time sign-in links.
//! - `routes.rs`: one small handler per endpoint, each a call on `EngineHandle`.
//! - `tls.rs`: a TLS listener for non-loopback admin addresses.

mod auth;
mod routes;
mod tls;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use auth::{admin_token, signin_url};

use crate::api::{ApiError, codes};
use crate::{EngineError, EngineHandle};

/// Largest request body accepted.
const BODY_LIMIT: usize = 64 * 1024;

/// The admin server's state; cheap to clone.
#[derive(Clone)]
pub(crate) struct Admin {
    inner: Arc<Inner>,
}

/// Whether the request came over HTTPS (non-loopback listeners), for the cookie's `Secure`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Https(pub bool);

struct Inner {
    engine: EngineHandle,
    token: String,
    /// Session cookie values handed out since start.
    sessions: Mutex<HashSet<String>>,
    tls: TlsAcceptor,
}

impl Admin {
    pub(crate) fn new(engine: EngineHandle, tls: TlsAcceptor) -> Result<Admin, EngineError> {
        let token = admin_token(engine.data_dir()).map_err(|source| EngineError::DataDir {
            path: engine.data_dir().join(auth::TOKEN_FILE),
            source,
        })?;
        Ok(Admin {
            inner: Arc::new(Inner {
                engine,
                token,
                sessions: Mutex::default(),
                tls,
            }),
        })
    }

    /// Serves one listener until shutdown: plain HTTP on loopback, HTTPS elsewhere (config
    /// validation allows other addresses only with a certificate).
    pub(crate) async fn serve(self, listener: TcpListener) {
        let shutdown = self.inner.engine.shutdown_token();
        let loopback = listener
            .local_addr()
            .is_ok_and(|addr| addr.ip().is_loopback());
        let app = self.router().layer(Extension(Https(!loopback)));
        let result = if loopback {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await
        } else {
            let listener = tls::TlsListener::new(listener, self.inner.tls.clone());
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await
        };
        if let Err(e) = result {
            tracing::warn!(service = "admin", error = %e, "admin server stopped");
        }
    }

    pub(super) fn engine(&self) -> &EngineHandle {
        &self.inner.engine
    }

    fn router(&self) -> Router {
        routes::router(self.clone())
            .fallback(|| async { ApiError::not_found("no such endpoint") })
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
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
