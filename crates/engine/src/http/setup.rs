//! The routes of the first-run wizard, pausing receiving, the certificate and reloading the
//! settings; all need the token or a session (the router adds the check).

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};

use super::{Admin, JsonBody};
use crate::api::ApiResult;
use crate::api::certificate::{CertificateDto, CertificateImport};
use crate::api::setup::{SetupDone, SetupRequest, SetupState};
use crate::api::status::Receiving;

type Api<T> = ApiResult<Json<T>>;

pub(super) fn routes() -> Router<Admin> {
    Router::new()
        .route("/api/setup", get(setup_state).post(setup))
        .route("/api/receiving", put(set_receiving).get(receiving))
        .route("/api/certificate", get(certificate).put(import_certificate))
        .route("/api/settings/reload", post(reload))
}

async fn setup_state(State(a): State<Admin>) -> Api<SetupState> {
    a.engine().setup_state().await.map(Json)
}

async fn setup(
    State(a): State<Admin>,
    JsonBody(request): JsonBody<SetupRequest>,
) -> Api<SetupDone> {
    a.engine().setup(request).await.map(Json)
}

async fn receiving(State(a): State<Admin>) -> Json<Receiving> {
    Json(Receiving {
        paused: a.engine().receiving_paused(),
    })
}

async fn set_receiving(
    State(a): State<Admin>,
    JsonBody(body): JsonBody<Receiving>,
) -> Api<Receiving> {
    a.engine().set_receiving_paused(body.paused).await.map(Json)
}

async fn certificate(State(a): State<Admin>) -> Api<CertificateDto> {
    a.engine().certificate().await.map(Json)
}

async fn import_certificate(
    State(a): State<Admin>,
    JsonBody(import): JsonBody<CertificateImport>,
) -> Api<CertificateDto> {
    a.engine().import_certificate(import).await.map(Json)
}

/// Reads `postroom.toml` again (after an edit by hand), like SIGHUP.
async fn reload(State(a): State<Admin>) -> Api<crate::Reloaded> {
    a.engine().reload().await.map(Json)
}
