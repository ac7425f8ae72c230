//! The Windows service through the service control manager (windows-service crate).
//!
//! `install` registers "Postroom" to run `"<path>\postroom.exe" --data-dir DIR service run`
//! as LocalSystem at boot, restarted by the SCM if it fails; `run` is that process: it tells
//! the SCM "running" once every listener is up and stops gracefully (the same path as
//! Ctrl+C) on a stop, pre-shutdown or shutdown request.
// `define_windows_service!` expands to the `extern "system"` entry point the SCM calls.
#![allow(unsafe_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use windows_service::service::{
    ServiceAccess, ServiceAction as FailureAction, ServiceActionType, ServiceControl,
    ServiceControlAccept, ServiceErrorControl, ServiceExitCode, ServiceFailureActions,
    ServiceFailureResetPeriod, ServiceInfo, ServiceStartType, ServiceState, ServiceStatus,
    ServiceType,
};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
use windows_service::{define_windows_service, service_dispatcher};

use super::ServiceAction;
use crate::eventlog;
use crate::serve::{self, Logs};

/// The service's name (`sc query Postroom`).
const NAME: &str = "Postroom";
const DISPLAY_NAME: &str = "Postroom Mail Server";
const DESCRIPTION: &str = "Receives, stores and sends the office's mail (SMTP, IMAP, POP3) \
                           and serves its control panel.";
/// ERROR_SERVICE_DOES_NOT_EXIST.
const NOT_INSTALLED: i32 = 1060;
/// ERROR_SERVICE_DATABASE_LOCKED.
const DATABASE_LOCKED: i32 = 1055;
/// ERROR_SERVICE_ALREADY_RUNNING.
const ALREADY_RUNNING: i32 = 1056;
/// How long `install`, `uninstall` and `status` wait for the service to start or stop.
const WAIT: Duration = Duration::from_secs(60);

pub fn main(data_dir: PathBuf, action: ServiceAction) -> ExitCode {
    let result = match action {
        ServiceAction::Install => install(&data_dir),
        ServiceAction::Uninstall => uninstall(&data_dir),
        ServiceAction::Run => run(data_dir),
        ServiceAction::Status => status(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => crate::fail(&message),
    }
}

fn not_installed(e: &windows_service::Error) -> bool {
    matches!(e, windows_service::Error::Winapi(io) if io.raw_os_error() == Some(NOT_INSTALLED))
}

fn scm_error(what: &str) -> impl Fn(windows_service::Error) -> String + '_ {
    move |e| {
        let detail = match &e {
            windows_service::Error::Winapi(io) => io.to_string(),
            other => other.to_string(),
        };
        format!("{what}: {detail} (run as an administrator)")
    }
}

fn install(data_dir: &Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find postroom.exe: {e}"))?;
    let data_dir = std::path::absolute(data_dir)
        .map_err(|e| format!("data directory {}: {e}", data_dir.display()))?;
    // The data directory: SYSTEM (the service), Administrators and the installing user (the
    // tray app reads engine-control there), nobody else; ProgramData lets every user read.
    std::fs::create_dir_all(&data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let user = engine::files::current_user_sid()
        .map_err(|e| tracing::warn!(error = %e, "the installing user is not known"))
        .ok();
    engine::files::protect_dir(&data_dir, user.as_deref())
        .map_err(|e| format!("cannot set the ACL of {}: {e}", data_dir.display()))?;
    let config = engine::load_or_init_config(&data_dir).map_err(|e| e.to_string())?;
    register_event_source();

    let manager = ServiceManager::local_computer(
        None::<&str>,
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
    )
    .map_err(scm_error("cannot open the service control manager"))?;
    let info = ServiceInfo {
        name: NAME.into(),
        display_name: DISPLAY_NAME.into(),
        service_type: ServiceType::OWN_PROCESS,
        start_type: ServiceStartType::AutoStart,
        error_control: ServiceErrorControl::Normal,
        executable_path: exe.clone(),
        launch_arguments: vec![
            "--data-dir".into(),
            data_dir.clone().into_os_string(),
            "service".into(),
            "run".into(),
        ],
        dependencies: vec![],
        account_name: None,
        account_password: None,
    };
    let access = ServiceAccess::QUERY_STATUS
        | ServiceAccess::START
        | ServiceAccess::STOP
        | ServiceAccess::CHANGE_CONFIG;
    // Installed already (an upgrade): the same service, pointed at this program.
    let service = match manager.open_service(NAME, access) {
        Ok(service) => {
            service
                .change_config(&info)
                .map_err(scm_error("cannot update the service"))?;
            service
        }
        Err(e) if not_installed(&e) => manager
            .create_service(&info, access)
            .map_err(scm_error("cannot create the service"))?,
        Err(e) => return Err(scm_error("cannot open the service")(e)),
    };
    if let Err(e) = service.set_description(DESCRIPTION) {
        eprintln!("postroom: the service has no description: {e}");
    }
    // A crash is followed by a restart after 10 s (three times a day at most).
    let restart = FailureAction {
        action_type: ServiceActionType::Restart,
        delay: Duration::from_secs(10),
    };
    let failure_actions = ServiceFailureActions {
        reset_period: ServiceFailureResetPeriod::After(Duration::from_secs(24 * 3600)),
        reboot_msg: None,
        command: None,
        actions: Some(vec![restart.clone(), restart.clone(), restart]),
    };
    if let Err(e) = service.update_failure_actions(failure_actions) {
        eprintln!("postroom: the service will not be restarted after a failure: {e}");
    }
    match engine::firewall::sync(&data_dir, &config, &exe) {
        Ok(rules) => {
            for rule in rules {
                println!("allowed in Windows Firewall: {}", rule.name);
            }
        }
        Err(e) => eprintln!("postroom: Windows Firewall not changed: {e}"),
    }
    // An upgrade replaced the program: the running service is the old one.
    stop_and_wait(&service)?;
    start(&service)?;
    match wait_while_pending(&service)? {
        ServiceState::Running => {
            println!(
                "installed and started the {NAME} service; data in {}",
                data_dir.display()
            );
            Ok(())
        }
        state => Err(format!(
            "the service was installed but is {state:?}; see {}",
            data_dir.join("logs").display()
        )),
    }
}

fn uninstall(data_dir: &Path) -> Result<(), String> {
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        .map_err(scm_error("cannot open the service control manager"))?;
    let access = ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE;
    match manager.open_service(NAME, access) {
        Ok(service) => {
            stop_and_wait(&service)?;
            service
                .delete()
                .map_err(scm_error("cannot remove the service"))?;
            println!("removed the {NAME} service");
        }
        // Uninstallers run this whatever happened before: not an error.
        Err(e) if not_installed(&e) => println!("the {NAME} service is not installed"),
        Err(e) => return Err(scm_error("cannot open the service")(e)),
    }
    if let Err(e) = engine::firewall::remove(data_dir) {
        eprintln!("postroom: the firewall rules stay: {e}");
    }
    unregister_event_source();
    println!("the mail data stays in {}", data_dir.display());
    Ok(())
}

fn status() -> Result<(), String> {
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
        .map_err(scm_error("cannot open the service control manager"))?;
    let service = match manager.open_service(NAME, ServiceAccess::QUERY_STATUS) {
        Ok(service) => service,
        Err(e) if not_installed(&e) => {
            println!("not-installed");
            return Ok(());
        }
        Err(e) => return Err(scm_error("cannot open the service")(e)),
    };
    let word = match wait_while_pending(&service)? {
        ServiceState::Stopped | ServiceState::StopPending => "stopped",
        _ => "running",
    };
    println!("{word}");
    Ok(())
}

/// Waits until the service is neither starting nor stopping (or [`WAIT`] passed); returns
/// its state.
fn wait_while_pending(service: &windows_service::service::Service) -> Result<ServiceState, String> {
    poll_state(service, |state| {
        !matches!(
            state,
            ServiceState::StartPending
                | ServiceState::StopPending
                | ServiceState::ContinuePending
                | ServiceState::PausePending
        )
    })
}

/// Asks the service's state every 200 ms until `done` accepts it or [`WAIT`] passed; returns
/// the last state seen.
fn poll_state(
    service: &windows_service::service::Service,
    done: impl Fn(ServiceState) -> bool,
) -> Result<ServiceState, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let state = service
            .query_status()
            .map_err(scm_error("cannot query the service"))?
            .current_state;
        if done(state) || Instant::now() > deadline {
            return Ok(state);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts the service. The SCM answers "database locked" while it is busy starting
/// another service (seen under Wine right after the prefix booted): tried again.
fn start(service: &windows_service::service::Service) -> Result<(), String> {
    let deadline = Instant::now() + WAIT;
    loop {
        match service.start::<&OsStr>(&[]) {
            Ok(()) => return Ok(()),
            Err(windows_service::Error::Winapi(e)) if e.raw_os_error() == Some(ALREADY_RUNNING) => {
                return Ok(());
            }
            Err(windows_service::Error::Winapi(e))
                if e.raw_os_error() == Some(DATABASE_LOCKED) && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => return Err(scm_error("cannot start the service")(e)),
        }
    }
}

fn stop_and_wait(service: &windows_service::service::Service) -> Result<(), String> {
    if wait_while_pending(service)? == ServiceState::Stopped {
        return Ok(());
    }
    service
        .stop()
        .map_err(scm_error("cannot stop the service"))?;
    // The service may still say Running for a moment after it took the stop request (it
    // reports StopPending from its own thread): wait for Stopped itself.
    match poll_state(service, |state| state == ServiceState::Stopped)? {
        ServiceState::Stopped => Ok(()),
        state => Err(format!("the service did not stop (it is {state:?})")),
    }
}

/// The Event Log source (see `eventlog.rs`), through reg.exe: a registry key and two values.
fn register_event_source() {
    let added = std::process::Command::new("reg")
        .args(["add", eventlog::SOURCE_KEY, "/v", "EventMessageFile", "/t"])
        .args(["REG_EXPAND_SZ", "/d", eventlog::MESSAGE_FILE, "/f"])
        .output()
        .and_then(|_| {
            std::process::Command::new("reg")
                .args(["add", eventlog::SOURCE_KEY, "/v", "TypesSupported", "/t"])
                .args(["REG_DWORD", "/d", "7", "/f"])
                .output()
        });
    match added {
        Ok(out) if out.status.success() => {}
        Ok(out) => eprintln!(
            "postroom: the Event Log source is not registered: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => eprintln!("postroom: the Event Log source is not registered: {e}"),
    }
}

fn unregister_event_source() {
    let _ = std::process::Command::new("reg")
        .args(["delete", eventlog::SOURCE_KEY, "/f"])
        .output();
}

/// The data directory of `service run`, from its command line: the SCM passes its own
/// arguments to the service's main function, not the program's.
static DATA_DIR: OnceLock<PathBuf> = OnceLock::new();

fn run(data_dir: PathBuf) -> Result<(), String> {
    let _ = DATA_DIR.set(data_dir);
    service_dispatcher::start(NAME, ffi_service_main).map_err(|e| {
        format!(
            "not started by the service control manager ({e}); `postroom serve` runs the \
             engine in this console"
        )
    })
}

define_windows_service!(ffi_service_main, service_main);

fn service_main(_arguments: Vec<OsString>) {
    let Some(data_dir) = DATA_DIR.get() else {
        return;
    };
    // Without a log the service still runs; the SCM's status says whether it does.
    let _flush_on_exit = serve::init_logging(data_dir, Logs::Files).ok();
    if let Err(e) = serve_as_service(data_dir) {
        tracing::error!("the Postroom service stopped: {e}");
    }
}

fn serve_as_service(data_dir: &Path) -> Result<(), String> {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stop_tx = Mutex::new(Some(stop_tx));
    let handler = move |control| match control {
        ServiceControl::Stop | ServiceControl::Shutdown | ServiceControl::Preshutdown => {
            let sender = stop_tx.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(sender) = sender {
                let _ = sender.send(());
            }
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    };
    let handle = service_control_handler::register(NAME, handler)
        .map_err(|e| format!("cannot talk to the service control manager: {e}"))?;
    let report = move |state: ServiceState, exit: ServiceExitCode, wait: Duration| {
        let accepted = if state == ServiceState::Running {
            ServiceControlAccept::STOP
                | ServiceControlAccept::SHUTDOWN
                | ServiceControlAccept::PRESHUTDOWN
        } else {
            ServiceControlAccept::empty()
        };
        let status = ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: accepted,
            exit_code: exit,
            checkpoint: 0,
            wait_hint: wait,
            process_id: None,
        };
        if let Err(e) = handle.set_service_status(status) {
            tracing::warn!(error = %e, "cannot report the service's state");
        }
    };
    report(ServiceState::StartPending, ServiceExitCode::Win32(0), WAIT);
    let stop = async move {
        let _ = stop_rx.await;
        tracing::info!("stop requested by the service control manager");
        report(
            ServiceState::StopPending,
            ServiceExitCode::Win32(0),
            serve::GRACE + Duration::from_secs(5),
        );
    };
    let served = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))
        .and_then(|runtime| {
            runtime.block_on(serve::run_until(data_dir, stop, || {
                report(
                    ServiceState::Running,
                    ServiceExitCode::Win32(0),
                    Duration::ZERO,
                );
            }))
        });
    let exit = match served {
        Ok(()) => ServiceExitCode::Win32(0),
        Err(_) => ServiceExitCode::ServiceSpecific(1),
    };
    report(ServiceState::Stopped, exit, Duration::ZERO);
    served
}
