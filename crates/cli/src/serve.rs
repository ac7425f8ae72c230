//! `postroom serve`: start the engine, say which listeners are up (and loudly which are
//! not), reload on SIGHUP, stop on SIGINT/SIGTERM (Ctrl+C, console close, shutdown on
//! Windows). The Windows service (`service run`) runs the same [`run_until`] with its logs in
//! files and the SCM's stop as the signal.

use std::future::Future;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How long running sessions get to finish after SIGTERM or a service stop.
pub const GRACE: Duration = Duration::from_secs(10);
/// Log files kept in `DATA_DIR/logs` (one a day).
const LOG_DAYS: usize = 14;

/// Where log lines go.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Logs {
    /// Standard error (a terminal, systemd's journal, launchd's log file).
    Stderr,
    /// `DATA_DIR/logs/postroom.YYYY-MM-DD.log`, a new file each day, the last 14 kept;
    /// errors also to the Windows Event Log. A service has no terminal.
    #[cfg_attr(not(windows), allow(dead_code))]
    Files,
}

pub async fn run(data_dir: &Path, stop_on_stdin_close: bool) -> Result<(), String> {
    let _flush_on_exit = init_logging(data_dir, Logs::Stderr)?;
    // Signals are caught before `ready` is printed, so a SIGTERM right after it stops us cleanly.
    let signals = engine::shutdown_on_signals();
    let parent_gone = if stop_on_stdin_close {
        stdin_closed()
    } else {
        None
    };
    let stop = async move {
        match parent_gone {
            Some(gone) => tokio::select! {
                () = signals.cancelled() => {}
                _ = gone => tracing::info!("standard input closed: stopping"),
            },
            None => signals.cancelled().await,
        }
    };
    run_until(data_dir, stop, || {}).await
}

/// Completes when standard input reaches its end (or fails). A thread of its own, not the
/// runtime's blocking pool: a read that never returns must not hold up the runtime's shutdown.
/// Windows has no SIGTERM for a parent to send; a closed pipe means the same everywhere.
/// `None` when no thread can be started (then only signals stop the engine).
fn stdin_closed() -> Option<tokio::sync::oneshot::Receiver<()>> {
    let (closed, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = closed.send(());
        });
    match spawned {
        Ok(_) => Some(rx),
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch standard input");
            None
        }
    }
}

/// Starts the engine, reports `ready` (stdout, then `on_ready`), serves until `stop`
/// completes, then stops gracefully.
pub async fn run_until(
    data_dir: &Path,
    stop: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(),
) -> Result<(), String> {
    let config = engine::load_or_init_config(data_dir).map_err(|e| e.to_string())?;
    let engine = engine::start(data_dir, config)
        .await
        .map_err(|e| e.to_string())?;
    // One line per listener on stdout, then `ready`: scripts and tests wait for these. A
    // listener that could not bind is said loudly on stderr; the others serve.
    let listeners = engine.listener_status();
    let mut out = std::io::stdout().lock();
    for listener in &listeners {
        let (service, addr) = (&listener.service, &listener.address);
        match &listener.error {
            None => {
                let _ = writeln!(out, "listening {service} {addr}");
            }
            Some(why) => {
                eprintln!("postroom: NOT listening for {service} on {addr}: {why}");
                tracing::error!(service, %addr, "NOT listening: {why}");
            }
        }
    }
    if !listeners.is_empty() && listeners.iter().all(|l| !l.up) {
        engine.shutdown(GRACE).await;
        return Err("no listener could be started; see the reasons above".to_string());
    }
    // A desktop app of this machine finds this engine (and its token) here.
    if let Err(e) = engine::publish_control(&engine).await {
        tracing::warn!(error = %e, "no {}: desktop apps cannot reach this engine", engine::CONTROL_FILE);
    }
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    drop(out);
    on_ready();
    reload_on_sighup(&engine);

    let token = engine.shutdown_token();
    tokio::spawn(async move {
        stop.await;
        token.cancel();
    });
    let data_dir = engine.data_dir().to_path_buf();
    engine.run_until_stopped(GRACE).await;
    engine::withdraw_control(&data_dir);
    Ok(())
}

/// Installs the tracing subscriber; the guard flushes buffered lines when dropped.
pub fn init_logging(
    data_dir: &Path,
    logs: Logs,
) -> Result<tracing_appender::non_blocking::WorkerGuard, String> {
    let filter = EnvFilter::try_from_env("POSTROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Log lines are written by a thread of their own, in batches: a write to a log file costs
    // microseconds, and the session threads must not wait for the disk. The guard flushes
    // what is left when `serve` returns.
    let (writer, guard, ansi) = match logs {
        Logs::Stderr => {
            let (writer, guard) =
                tracing_appender::non_blocking(std::io::BufWriter::new(std::io::stderr()));
            (
                writer,
                guard,
                std::io::IsTerminal::is_terminal(&std::io::stderr()),
            )
        }
        Logs::Files => {
            let dir = data_dir.join("logs");
            engine::prepare_data_dir(data_dir)
                .and_then(|()| std::fs::create_dir_all(&dir))
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let files = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("postroom")
                .filename_suffix("log")
                .max_log_files(LOG_DAYS)
                .build(&dir)
                .map_err(|e| format!("cannot write logs in {}: {e}", dir.display()))?;
            let (writer, guard) = tracing_appender::non_blocking(files);
            (writer, guard, false)
        }
    };
    // POSTROOM_LOG filters what goes to the log; the engine's journal (the control panel's
    // live log and counters) keeps INFO and above whatever it says.
    let registry = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(ansi)
                .with_writer(writer)
                .with_filter(filter),
        )
        .with(engine::journal::layer());
    #[cfg(windows)]
    let registry = registry.with((logs == Logs::Files).then(crate::eventlog::layer).flatten());
    registry.init();
    Ok(guard)
}

/// SIGHUP reads postroom.toml again and applies what it can without a restart.
#[cfg(unix)]
fn reload_on_sighup(engine: &engine::EngineHandle) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(signal) => signal,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP; reload from the control panel");
            return;
        }
    };
    let engine = engine.clone();
    let stopped = engine.shutdown_token();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = stopped.cancelled() => break,
                got = hangups.recv() => if got.is_none() { break },
            }
            tracing::info!("SIGHUP received, reloading postroom.toml");
            if let Err(e) = engine.reload().await {
                tracing::error!(error = %e, "postroom.toml not reloaded");
            }
        }
    });
}

#[cfg(not(unix))]
fn reload_on_sighup(_engine: &engine::EngineHandle) {}
