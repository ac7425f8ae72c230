//! One handler per endpoint: take the input, call `EngineHandle`, return JSON.

use std::convert::Infallible;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::{Admin, JsonBody};
use crate::api::accounts::{AccountChange, NewAccount};
use crate::api::aliases::AliasDto;
use crate::api::domains::NewDomain;
use crate::api::filter::{ClassifierDto, SenderListDto};
use crate::api::log::{Event, LogQuery};
use crate::api::queue::QueueFilter;
use crate::api::{ApiError, ApiResult, codes};

type Api<T> = ApiResult<Json<T>>;

pub(super) fn router(admin: Admin) -> Router {
    let api = Router::new()
        .route("/api/status", get(status))
        .route("/api/domains", get(domains).post(add_domain))
        .route("/api/domains/{name}", axum::routing::delete(remove_domain))
        .route("/api/domains/{name}/dns", get(domain_dns))
        .route("/api/accounts", get(accounts).post(add_account))
        .route(
            "/api/accounts/{address}",
            axum::routing::patch(change_account).delete(remove_account),
        )
        .route("/api/aliases", get(aliases).post(add_alias))
        .route(
            "/api/aliases/{address}",
            axum::routing::delete(remove_alias),
        )
        .route("/api/filter/lists", get(sender_lists).post(set_sender_list))
        .route(
            "/api/filter/lists/{owner}/{pattern}",
            axum::routing::delete(remove_sender_list),
        )
        .route("/api/filter/classifiers", get(classifiers))
        .route("/api/queue", get(queue))
        .route("/api/queue/retry", post(queue_retry_all))
        .route("/api/queue/{id}", get(queue_entry).delete(queue_delete))
        .route("/api/queue/{id}/retry", post(queue_retry))
        .route("/api/queue/{id}/hold", post(queue_hold))
        .route("/api/queue/{id}/release", post(queue_release))
        .route("/api/log", get(log))
        .route("/api/events", get(events))
        .route("/api/settings", get(settings).put(update_settings))
        .route("/api/settings/schema", get(settings_schema))
        .route(
            "/api/session",
            axum::routing::delete(super::signin::sign_out),
        )
        .merge(super::setup::routes())
        .merge(super::dynip::routes())
        .route_layer(middleware::from_fn_with_state(admin.clone(), require_auth));
    Router::new()
        .route("/signin", get(super::signin::signin))
        .route("/api/session", post(super::signin::sign_in))
        .merge(api)
        .with_state(admin)
}

async fn require_auth(State(admin): State<Admin>, request: Request, next: Next) -> Response {
    if admin.authorized(request.headers()) {
        next.run(request).await
    } else {
        ApiError::new(
            codes::UNAUTHORIZED,
            "sign in: send `Authorization: Bearer TOKEN` (`postroom admin token` prints it)",
        )
        .into_response()
    }
}

fn id(text: &str) -> ApiResult<i64> {
    text.parse()
        .map_err(|_| ApiError::invalid("id", format!("{text} is not a queue entry id")))
}

async fn status(State(a): State<Admin>) -> Api<crate::api::status::Status> {
    a.engine().status().await.map(Json)
}

async fn domains(State(a): State<Admin>) -> Api<Vec<crate::api::domains::DomainDto>> {
    a.engine().admin().domains().await.map(Json)
}

async fn add_domain(
    State(a): State<Admin>,
    JsonBody(new): JsonBody<NewDomain>,
) -> ApiResult<impl IntoResponse> {
    let domain = a.engine().admin().add_domain(new).await?;
    Ok((StatusCode::CREATED, Json(domain)))
}

async fn remove_domain(State(a): State<Admin>, Path(name): Path<String>) -> ApiResult<StatusCode> {
    a.engine().admin().remove_domain(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn domain_dns(
    State(a): State<Admin>,
    Path(name): Path<String>,
) -> Api<Vec<crate::api::domains::DnsRecord>> {
    a.engine().admin().domain_dns(&name).await.map(Json)
}

async fn accounts(State(a): State<Admin>) -> Api<Vec<crate::api::accounts::AccountDto>> {
    a.engine().admin().accounts().await.map(Json)
}

async fn add_account(
    State(a): State<Admin>,
    JsonBody(new): JsonBody<NewAccount>,
) -> ApiResult<impl IntoResponse> {
    let account = a.engine().admin().add_account(new).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

async fn change_account(
    State(a): State<Admin>,
    Path(address): Path<String>,
    JsonBody(change): JsonBody<AccountChange>,
) -> ApiResult<StatusCode> {
    a.engine().admin().change_account(&address, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_account(
    State(a): State<Admin>,
    Path(address): Path<String>,
) -> ApiResult<StatusCode> {
    a.engine().admin().remove_account(&address).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn aliases(State(a): State<Admin>) -> Api<Vec<AliasDto>> {
    a.engine().admin().aliases().await.map(Json)
}

async fn add_alias(
    State(a): State<Admin>,
    JsonBody(alias): JsonBody<AliasDto>,
) -> ApiResult<StatusCode> {
    a.engine().admin().add_alias(alias).await?;
    Ok(StatusCode::CREATED)
}

async fn remove_alias(
    State(a): State<Admin>,
    Path(address): Path<String>,
) -> ApiResult<StatusCode> {
    a.engine().admin().remove_alias(&address).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn sender_lists(State(a): State<Admin>) -> Api<Vec<SenderListDto>> {
    a.engine().admin().sender_lists().await.map(Json)
}

async fn set_sender_list(
    State(a): State<Admin>,
    JsonBody(entry): JsonBody<SenderListDto>,
) -> ApiResult<StatusCode> {
    a.engine().admin().set_sender_list(entry).await?;
    Ok(StatusCode::CREATED)
}

async fn remove_sender_list(
    State(a): State<Admin>,
    Path((owner, pattern)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    a.engine()
        .admin()
        .remove_sender_list(&owner, &pattern)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn classifiers(State(a): State<Admin>) -> Api<Vec<ClassifierDto>> {
    a.engine().admin().classifiers().await.map(Json)
}

async fn queue(
    State(a): State<Admin>,
    Query(filter): Query<QueueFilter>,
) -> Api<Vec<crate::api::queue::QueueEntryDto>> {
    a.engine().admin().queue(filter).await.map(Json)
}

async fn queue_entry(
    State(a): State<Admin>,
    Path(entry): Path<String>,
) -> Api<crate::api::queue::QueueDetail> {
    a.engine().admin().queue_entry(id(&entry)?).await.map(Json)
}

async fn queue_retry_all(State(a): State<Admin>) -> Api<serde_json::Value> {
    let due = a.engine().admin().queue_retry(None).await?;
    Ok(Json(json!({ "due": due })))
}

async fn queue_retry(State(a): State<Admin>, Path(entry): Path<String>) -> Api<serde_json::Value> {
    let due = a.engine().admin().queue_retry(Some(id(&entry)?)).await?;
    Ok(Json(json!({ "due": due })))
}

async fn queue_delete(State(a): State<Admin>, Path(entry): Path<String>) -> ApiResult<StatusCode> {
    a.engine().admin().queue_delete(id(&entry)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn queue_hold(State(a): State<Admin>, Path(entry): Path<String>) -> ApiResult<StatusCode> {
    a.engine().admin().queue_hold(id(&entry)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn queue_release(State(a): State<Admin>, Path(entry): Path<String>) -> ApiResult<StatusCode> {
    a.engine().admin().queue_release(id(&entry)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn log(
    State(a): State<Admin>,
    Query(query): Query<LogQuery>,
) -> Api<Vec<crate::journal::LogEntry>> {
    a.engine().log(query).await.map(Json)
}

/// `text/event-stream`: `log`, `traffic`, `change` and `lagged` events with JSON data, until the
/// client goes or the engine stops.
async fn events(
    State(a): State<Admin>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let engine = a.engine().clone();
    let shutdown = engine.shutdown_token();
    let stream = futures_util::stream::unfold(engine.subscribe(), move |mut events| {
        let shutdown = shutdown.clone();
        async move {
            let event = tokio::select! {
                _ = shutdown.cancelled() => return None,
                event = events.next() => event?,
            };
            let name = match &event {
                Event::Log(_) => "log",
                Event::Traffic(_) => "traffic",
                Event::Change(_) => "change",
                Event::Lagged { .. } => "lagged",
            };
            let data = serde_json::to_string(&event).unwrap_or_default();
            Some((Ok(SseEvent::default().event(name).data(data)), events))
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn settings(State(a): State<Admin>) -> Api<crate::api::settings::Settings> {
    a.engine().settings().await.map(Json)
}

async fn settings_schema() -> Json<Vec<crate::api::settings::SettingSchema>> {
    Json(crate::api::settings::schema())
}

async fn update_settings(
    State(a): State<Admin>,
    JsonBody(changes): JsonBody<serde_json::Value>,
) -> Api<crate::api::settings::Settings> {
    a.engine().update_settings(changes).await.map(Json)
}
