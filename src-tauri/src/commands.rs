//! The Tauri commands: one per API operation, named and shaped as in the API contract (JS
//! passes camelCase arguments). Each converts, calls [`EngineHandle`](engine::EngineHandle)
//! and returns its result; a rejected promise carries the [`ApiError`] object.

use engine::api::accounts::{AccountChange, AccountDto, NewAccount};
use engine::api::aliases::AliasDto;
use engine::api::certificate::{CertificateDto, CertificateImport};
use engine::api::collect::CollectStatus;
use engine::api::ddns::DdnsStatus;
use engine::api::doctor::{Check, SmartHost};
use engine::api::domains::{DnsRecord, DomainDto, NewDomain};
use engine::api::etrn::EtrnStatus;
use engine::api::log::LogQuery;
use engine::api::queue::{QueueDetail, QueueEntryDto, QueueFilter};
use engine::api::settings::Settings;
use engine::api::setup::{SetupDone, SetupRequest, SetupState};
use engine::api::status::{Receiving, Status};
use engine::api::{ApiError, ApiResult};
use engine::journal::LogEntry;
use serde_json::Value as Json;
use tauri::{AppHandle, State};

use crate::Engine;
use crate::desktop::{self, DesktopSettings};

/// Every command, for `Builder::invoke_handler`.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        status,
        setup_state,
        setup,
        set_receiving,
        certificate,
        import_certificate,
        domains,
        add_domain,
        remove_domain,
        domain_dns,
        accounts,
        add_account,
        change_account,
        remove_account,
        aliases,
        add_alias,
        remove_alias,
        queue,
        queue_entry,
        queue_retry,
        queue_delete,
        queue_hold,
        queue_release,
        log,
        ddns_status,
        collect_status,
        collect_run,
        etrn_status,
        doctor,
        doctor_smart_host,
        settings,
        update_settings,
        desktop_settings,
        set_desktop_settings,
    ]
}

#[tauri::command]
async fn status(engine: State<'_, Engine>) -> ApiResult<Status> {
    engine.get()?.status().await
}

#[tauri::command]
async fn set_receiving(engine: State<'_, Engine>, paused: bool) -> ApiResult<Receiving> {
    engine.get()?.set_receiving_paused(paused).await
}

#[tauri::command]
async fn setup_state(engine: State<'_, Engine>) -> ApiResult<SetupState> {
    engine.get()?.setup_state().await
}

#[tauri::command]
async fn setup(engine: State<'_, Engine>, request: SetupRequest) -> ApiResult<SetupDone> {
    engine.get()?.setup(request).await
}

#[tauri::command]
async fn certificate(engine: State<'_, Engine>) -> ApiResult<CertificateDto> {
    engine.get()?.certificate().await
}

#[tauri::command]
async fn import_certificate(
    engine: State<'_, Engine>,
    cert_pem: String,
    key_pem: String,
) -> ApiResult<CertificateDto> {
    let import = CertificateImport { cert_pem, key_pem };
    engine.get()?.import_certificate(import).await
}

#[tauri::command]
async fn domains(engine: State<'_, Engine>) -> ApiResult<Vec<DomainDto>> {
    engine.get()?.domains().await
}

#[tauri::command]
async fn add_domain(engine: State<'_, Engine>, domain: NewDomain) -> ApiResult<DomainDto> {
    engine.get()?.add_domain(domain).await
}

#[tauri::command]
async fn remove_domain(engine: State<'_, Engine>, name: String) -> ApiResult<()> {
    engine.get()?.remove_domain(&name).await
}

#[tauri::command]
async fn domain_dns(engine: State<'_, Engine>, name: String) -> ApiResult<Vec<DnsRecord>> {
    engine.get()?.domain_dns(&name).await
}

#[tauri::command]
async fn accounts(engine: State<'_, Engine>) -> ApiResult<Vec<AccountDto>> {
    engine.get()?.accounts().await
}

#[tauri::command]
async fn add_account(engine: State<'_, Engine>, account: NewAccount) -> ApiResult<AccountDto> {
    engine.get()?.add_account(account).await
}

#[tauri::command]
async fn change_account(
    engine: State<'_, Engine>,
    address: String,
    change: AccountChange,
) -> ApiResult<()> {
    engine.get()?.change_account(&address, change).await
}

#[tauri::command]
async fn remove_account(engine: State<'_, Engine>, address: String) -> ApiResult<()> {
    engine.get()?.remove_account(&address).await
}

#[tauri::command]
async fn aliases(engine: State<'_, Engine>) -> ApiResult<Vec<AliasDto>> {
    engine.get()?.aliases().await
}

#[tauri::command]
async fn add_alias(engine: State<'_, Engine>, alias: AliasDto) -> ApiResult<()> {
    engine.get()?.add_alias(alias).await
}

#[tauri::command]
async fn remove_alias(engine: State<'_, Engine>, address: String) -> ApiResult<()> {
    engine.get()?.remove_alias(&address).await
}

#[tauri::command]
async fn queue(
    engine: State<'_, Engine>,
    filter: Option<QueueFilter>,
) -> ApiResult<Vec<QueueEntryDto>> {
    engine.get()?.queue(filter.unwrap_or_default()).await
}

#[tauri::command]
async fn queue_entry(engine: State<'_, Engine>, id: i64) -> ApiResult<QueueDetail> {
    engine.get()?.queue_entry(id).await
}

#[tauri::command]
async fn queue_retry(engine: State<'_, Engine>, id: Option<i64>) -> ApiResult<usize> {
    engine.get()?.queue_retry(id).await
}

#[tauri::command]
async fn queue_delete(engine: State<'_, Engine>, id: i64) -> ApiResult<()> {
    engine.get()?.queue_delete(id).await
}

#[tauri::command]
async fn queue_hold(engine: State<'_, Engine>, id: i64) -> ApiResult<()> {
    engine.get()?.queue_hold(id).await
}

#[tauri::command]
async fn queue_release(engine: State<'_, Engine>, id: i64) -> ApiResult<()> {
    engine.get()?.queue_release(id).await
}

#[tauri::command]
async fn log(engine: State<'_, Engine>, query: Option<LogQuery>) -> ApiResult<Vec<LogEntry>> {
    engine.get()?.log(query.unwrap_or_default()).await
}

#[tauri::command]
async fn ddns_status(engine: State<'_, Engine>) -> ApiResult<DdnsStatus> {
    Ok(engine.get()?.ddns_status())
}

#[tauri::command]
async fn collect_status(engine: State<'_, Engine>) -> ApiResult<Vec<CollectStatus>> {
    Ok(engine.get()?.collect_status())
}

#[tauri::command]
async fn collect_run(engine: State<'_, Engine>, index: usize) -> ApiResult<CollectStatus> {
    engine.get()?.collect_run(index)
}

#[tauri::command]
async fn etrn_status(engine: State<'_, Engine>) -> ApiResult<Vec<EtrnStatus>> {
    Ok(engine.get()?.etrn_status())
}

#[tauri::command]
async fn doctor(engine: State<'_, Engine>) -> ApiResult<Vec<Check>> {
    engine.get()?.doctor().await
}

#[tauri::command]
async fn doctor_smart_host(engine: State<'_, Engine>, request: SmartHost) -> ApiResult<Settings> {
    engine.get()?.doctor_smart_host(request).await
}

#[tauri::command]
async fn settings(engine: State<'_, Engine>) -> ApiResult<Settings> {
    engine.get()?.settings().await
}

#[tauri::command]
async fn update_settings(engine: State<'_, Engine>, changes: Json) -> ApiResult<Settings> {
    engine.get()?.update_settings(changes).await
}

#[tauri::command]
async fn desktop_settings(app: AppHandle) -> ApiResult<DesktopSettings> {
    desktop::current(&app)
}

#[tauri::command]
async fn set_desktop_settings(
    app: AppHandle,
    settings: DesktopSettings,
) -> ApiResult<DesktopSettings> {
    desktop::change(&app, settings)
}

/// For the commands that are not about the engine.
pub fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(e.to_string())
}
