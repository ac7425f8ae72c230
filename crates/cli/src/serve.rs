//! `postroom serve`: start the engine, say which listeners are up (and loudly which are
//! not), reload on SIGHUP, stop on SIGINT/SIGTERM.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How long running sessions get to finish after SIGTERM.
const GRACE: Duration = Duration::from_secs(10);

pub async fn run(data_dir: &Path) -> Result<(), String> {
    let filter = EnvFilter::try_from_env("POSTROOM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // Log lines are written by a thread of their own, in batches: a write to a log file costs
    // microseconds, and the session threads must not wait for the disk. The guard flushes
    // what is left when `serve` returns.
    let (writer, _flush_on_exit) =
        tracing_appender::non_blocking(std::io::BufWriter::new(std::io::stderr()));
    // POSTROOM_LOG filters what goes to stderr; the engine's journal (the control panel's
    // live log and counters) keeps INFO and above whatever it says.
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(ansi)
                .with_writer(writer)
                .with_filter(filter),
        )
        .with(engine::journal::layer())
        .init();

    // Signals are caught before `ready` is printed, so a SIGTERM right after it stops us cleanly.
    let signals = engine::shutdown_on_signals();
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
            Some(why) => eprintln!("postroom: NOT listening for {service} on {addr}: {why}"),
        }
    }
    if !listeners.is_empty() && listeners.iter().all(|l| !l.up) {
        engine.shutdown(GRACE).await;
        return Err("no listener could be started; see the reasons above".to_string());
    }
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    drop(out);
    reload_on_sighup(&engine);

    let token = engine.shutdown_token();
    tokio::spawn(async move {
        signals.cancelled().await;
        token.cancel();
    });
    engine.run_until_stopped(GRACE).await;
    Ok(())
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
