//! The routes of the "Internet connection" page: dynamic DNS status, collection jobs and
//! ETRN entries (status, add, edit, remove, run now) and the connectivity doctor; all need
//! the token or a session (the router adds the check).

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::Value;

use super::{Admin, JsonBody};
use crate::api::collect::CollectStatus;
use crate::api::ddns::DdnsStatus;
use crate::api::doctor::{Check, SmartHost};
use crate::api::etrn::EtrnStatus;
use crate::api::settings::Settings;
use crate::api::{ApiError, ApiResult};

type Api<T> = ApiResult<Json<T>>;

pub(super) fn routes() -> Router<Admin> {
    Router::new()
        .route("/api/ddns", get(ddns_status))
        .route("/api/doctor", post(doctor))
        .route("/api/doctor/smart-host", post(doctor_smart_host))
        .route("/api/collect", get(collect_status).post(collect_add))
        .route(
            "/api/collect/{index}",
            put(collect_change).delete(collect_remove),
        )
        .route("/api/collect/{index}/run", post(collect_run))
        .route("/api/etrn", get(etrn_status).post(etrn_add))
        .route("/api/etrn/{index}", put(etrn_change).delete(etrn_remove))
        .route("/api/etrn/{index}/run", post(etrn_run))
}

/// A position in a list; anything else names no entry.
fn index(text: &str, what: &str) -> ApiResult<usize> {
    text.parse()
        .map_err(|_| ApiError::not_found(format!("there is no {what} {text}")))
}

async fn ddns_status(State(a): State<Admin>) -> Api<DdnsStatus> {
    Ok(Json(a.engine().ddns_status()))
}

/// `POST /api/doctor`: runs every connectivity check (network look-ups: a few seconds).
async fn doctor(State(a): State<Admin>) -> Api<Vec<Check>> {
    a.engine().doctor().await.map(Json)
}

/// `POST /api/doctor/smart-host`: the one-click fix: a catch-all route through the relay.
async fn doctor_smart_host(
    State(a): State<Admin>,
    JsonBody(smart): JsonBody<SmartHost>,
) -> Api<Settings> {
    a.engine().doctor_smart_host(smart).await.map(Json)
}

async fn collect_status(State(a): State<Admin>) -> Api<Vec<CollectStatus>> {
    Ok(Json(a.engine().collect_status()))
}

async fn collect_run(State(a): State<Admin>, Path(i): Path<String>) -> Api<CollectStatus> {
    Ok(Json(a.engine().collect_run(index(&i, "collect job")?)?))
}

async fn collect_add(State(a): State<Admin>, JsonBody(job): JsonBody<Value>) -> Api<Settings> {
    a.engine().collect_add(job).await.map(Json)
}

async fn collect_change(
    State(a): State<Admin>,
    Path(i): Path<String>,
    JsonBody(job): JsonBody<Value>,
) -> Api<Settings> {
    let i = index(&i, "collect job")?;
    a.engine().collect_change(i, job).await.map(Json)
}

async fn collect_remove(State(a): State<Admin>, Path(i): Path<String>) -> Api<Settings> {
    let i = index(&i, "collect job")?;
    a.engine().collect_remove(i).await.map(Json)
}

async fn etrn_status(State(a): State<Admin>) -> Api<Vec<EtrnStatus>> {
    Ok(Json(a.engine().etrn_status()))
}

async fn etrn_run(State(a): State<Admin>, Path(i): Path<String>) -> Api<EtrnStatus> {
    Ok(Json(a.engine().etrn_run(index(&i, "ETRN entry")?)?))
}

async fn etrn_add(State(a): State<Admin>, JsonBody(entry): JsonBody<Value>) -> Api<Settings> {
    a.engine().etrn_add(entry).await.map(Json)
}

async fn etrn_change(
    State(a): State<Admin>,
    Path(i): Path<String>,
    JsonBody(entry): JsonBody<Value>,
) -> Api<Settings> {
    let i = index(&i, "ETRN entry")?;
    a.engine().etrn_change(i, entry).await.map(Json)
}

async fn etrn_remove(State(a): State<Admin>, Path(i): Path<String>) -> Api<Settings> {
    let i = index(&i, "ETRN entry")?;
    a.engine().etrn_remove(i).await.map(Json)
}
