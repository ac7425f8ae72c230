//! Signing in to the panel: `POST /api/session` with the token or the admin password,
//! `GET /signin?code=` with a one-time link, `DELETE /api/session`.
//!
//! Failed sign-ins count in the admin panel's own lockout (`Snapshot::admin_lockout`, apart
//! from the mail logins': SMTP AUTH failures for a mail user named `admin` do not touch it),
//! counted before the password is checked, and the check runs on the password-hashing pool
//! the mail logins use. Sign-ins from this computer (loopback) are never locked out: whoever
//! is at the machine can always reach its panel; they wait [`LOOPBACK_DELAY`] after a
//! failure instead, and other web pages cannot send them (`guard.rs`).

use std::time::Duration;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::{Admin, Https, JsonBody, Peer};
use crate::api::setup::admin_password_matches;
use crate::api::{ApiError, codes};

/// The account name of the panel in its lockout.
const ADMIN_ACCOUNT: &str = "admin";
/// The wait after a failed sign-in from loopback.
const LOOPBACK_DELAY: Duration = Duration::from_millis(500);

/// `POST /api/session`: the token, or the admin password set in the wizard.
#[derive(Deserialize)]
pub(super) struct SignIn {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

pub(super) async fn sign_in(
    State(admin): State<Admin>,
    Extension(Https(https)): Extension<Https>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    JsonBody(body): JsonBody<SignIn>,
) -> Response {
    let field = match (&body.token, &body.password) {
        (Some(_), _) => "token",
        (None, Some(_)) => "password",
        (None, None) => {
            return ApiError::invalid("password", "send the password or the token").into_response();
        }
    };
    let attempt = if peer.ip().to_canonical().is_loopback() {
        None
    } else {
        let lockout = admin
            .engine()
            .shared
            .runtime
            .snapshot()
            .admin_lockout
            .clone();
        match lockout.begin(peer.ip(), ADMIN_ACCOUNT) {
            Ok(attempt) => Some(attempt),
            Err(locked) => {
                tracing::warn!(service = "admin", %peer, ?locked, "sign-in refused: too many failures");
                return ApiError::new(
                    codes::UNAUTHORIZED,
                    "too many failed sign-ins; try again in a few minutes",
                )
                .into_response();
            }
        }
    };
    let valid = match (&body.token, &body.password) {
        (Some(token), _) => admin.token_matches(token),
        (None, Some(password)) => admin_password_matches(admin.engine().data_dir(), password).await,
        (None, None) => false,
    };
    if !valid {
        let delay = attempt.map_or(LOOPBACK_DELAY, |a| a.failed());
        tracing::warn!(service = "admin", %peer, "failed sign-in");
        tokio::time::sleep(delay).await;
        return ApiError {
            field: Some(field.into()),
            ..ApiError::new(codes::UNAUTHORIZED, format!("wrong {field}"))
        }
        .into_response();
    }
    if let Some(attempt) = attempt {
        attempt.succeeded();
    }
    let cookie = admin.new_session(https);
    (
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "signed_in": true })),
    )
        .into_response()
}

pub(super) async fn sign_out(State(admin): State<Admin>, headers: HeaderMap) -> StatusCode {
    admin.end_session(&headers);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub(super) struct Code {
    code: String,
}

/// A one-time link from `postroom admin open`: a session cookie, then the web admin.
pub(super) async fn signin(
    State(admin): State<Admin>,
    Extension(Https(https)): Extension<Https>,
    Query(q): Query<Code>,
) -> Response {
    if !admin.redeem(&q.code).await {
        return ApiError::new(
            codes::UNAUTHORIZED,
            "this sign-in link was used already or has expired; run `postroom admin open` again",
        )
        .into_response();
    }
    let cookie = admin.new_session(https);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}
