//! The routes of the "Internet connection" page: dynamic DNS status, collection jobs and
//! ETRN entries (status, add, edit, remove, run now) and the connectivity doctor; all need
//! the token or a session (the router adds the check).

use axum::extract::{Path, State};
use axum::routing::{MethodRouter, get, post, put};
use axum::{Json, Router};
use serde_json::Value;

use super::{Admin, JsonBody};
use crate::api::collect::CollectStatus;
use crate::api::ddns::DdnsStatus;
use crate::api::doctor::{Check, SmartHost};
use crate::api::etrn::EtrnStatus;
use crate::api::settings::Settings;
use crate::api::table_entries::EntryList;
use crate::api::{ApiError, ApiResult};

type Api<T> = ApiResult<Json<T>>;

pub(super) fn routes() -> Router<Admin> {
    Router::new()
        .route("/api/ddns", get(ddns_status))
        .route("/api/doctor", post(doctor))
        .route("/api/doctor/smart-host", post(doctor_smart_host))
        .route(
            "/api/collect",
            get(collect_status).merge(add(EntryList::Collect)),
        )
        .route("/api/collect/{index}", one(EntryList::Collect))
        .route("/api/collect/{index}/run", post(collect_run))
        .route("/api/etrn", get(etrn_status).merge(add(EntryList::Etrn)))
        .route("/api/etrn/{index}", one(EntryList::Etrn))
        .route("/api/etrn/{index}/run", post(etrn_run))
}

/// `POST /api/{list}`: adds an entry.
fn add(list: EntryList) -> MethodRouter<Admin> {
    post(
        move |State(a): State<Admin>, JsonBody(entry): JsonBody<Value>| async move {
            a.engine().entry_add(list, entry).await.map(Json)
        },
    )
}

/// `PUT` and `DELETE /api/{list}/{index}`: replaces or removes entry `index`.
fn one(list: EntryList) -> MethodRouter<Admin> {
    put(
        move |State(a): State<Admin>, Path(i): Path<String>, JsonBody(entry): JsonBody<Value>| async move {
            let i = index(&i, list.what())?;
            a.engine().entry_change(list, i, entry).await.map(Json)
        },
    )
    .delete(
        move |State(a): State<Admin>, Path(i): Path<String>| async move {
            let i = index(&i, list.what())?;
            a.engine().entry_remove(list, i).await.map(Json)
        },
    )
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
    Ok(Json(
        a.engine()
            .collect_run(index(&i, EntryList::Collect.what())?)?,
    ))
}

async fn etrn_status(State(a): State<Admin>) -> Api<Vec<EtrnStatus>> {
    Ok(Json(a.engine().etrn_status()))
}

async fn etrn_run(State(a): State<Admin>, Path(i): Path<String>) -> Api<EtrnStatus> {
    Ok(Json(
        a.engine().etrn_run(index(&i, EntryList::Etrn.what())?)?,
    ))
}
