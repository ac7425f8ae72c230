//! The tray app's own engine: the installed `postroom` program (next to this one), started as
//! `postroom --data-dir DIR serve --stop-on-stdin-close`, so that the engine is linked into
//! one program only (the installers carry one copy of it, see bench/RESULTS.md) and runs the
//! same way as headless or as a service. The tray app then is its client over the loopback
//! admin API named in `engine-control`, as for a service (`client.rs`).
//!
//! Its lifetime is the tray app's: it stops gracefully when its standard input closes, which
//! happens when the tray app quits and also when it dies (the pipe closes with the process),
//! so no engine outlives its tray. One that dies on its own is started again.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::watch;

/// The engine program to run instead of the one next to this program (dev builds, tests).
pub const ENGINE_ENV: &str = "POSTROOM_ENGINE";
/// How long the engine gets to stop after its input closed (its own grace is 10 s).
const STOP_WAIT: Duration = Duration::from_secs(20);
/// How long a start may take before it counts as failed (a first start makes keys).
const START_WAIT: Duration = Duration::from_secs(120);
/// Waits between restarts of an engine that keeps dying: doubling up to the last.
const RESTART_FIRST: Duration = Duration::from_secs(1);
const RESTART_MAX: Duration = Duration::from_secs(60);
/// The engine's last stderr lines kept to say why it did not start.
const KEPT_LINES: usize = 20;

/// The running engine; [`Engine::stop`] ends it.
pub struct Engine {
    quit: watch::Sender<bool>,
    supervisor: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// The program run as the engine.
fn program() -> Result<PathBuf, String> {
    match std::env::var_os(ENGINE_ENV).filter(|v| !v.is_empty()) {
        Some(path) => Ok(PathBuf::from(path)),
        None => postroom_desktop::sibling("postroom")
            .map_err(|e| format!("cannot find the postroom program: {e}")),
    }
}

/// A started engine process: its input (closing it stops the engine) and the process.
struct Running {
    stdin: Option<ChildStdin>,
    child: Child,
}

impl Engine {
    /// Starts the engine and waits for its `ready`; then keeps it running. The error says why
    /// it did not start (its own words from stderr: a broken postroom.toml, ports in use).
    pub async fn start(data_dir: &Path) -> Result<Arc<Engine>, String> {
        let program = program()?;
        let running = spawn(&program, data_dir).await?;
        let (quit, quitting) = watch::channel(false);
        let supervisor = tokio::spawn(supervise(
            program,
            data_dir.to_path_buf(),
            running,
            quitting,
        ));
        Ok(Arc::new(Engine {
            quit,
            supervisor: Mutex::new(Some(supervisor)),
        }))
    }

    /// Stops the engine: closes its input, waits for it to finish its sessions, and ends it by
    /// its PID if it has not within [`STOP_WAIT`].
    pub async fn stop(&self) {
        self.quit.send_replace(true);
        let task = self
            .supervisor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// Starts one engine process and reads its stdout until `ready`.
async fn spawn(program: &Path, data_dir: &Path) -> Result<Running, String> {
    let mut command = Command::new(program);
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--stop-on-stdin-close"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Ends it if this process unwinds without stopping it (a panic); a crash closes the
        // pipe instead.
        .kill_on_drop(true);
    #[cfg(windows)]
    command.creation_flags(0x0800_0000); // CREATE_NO_WINDOW: postroom.exe is a console program.
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let stdin = child.stdin.take();
    let stderr = child.stderr.take().map(keep_stderr);
    let stdout = child.stdout.take();
    let ready = async {
        let Some(stdout) = stdout else { return false };
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.trim_end() == "ready" {
                // The rest (nothing, as serve writes it) is read so the pipe never fills.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return true;
            }
        }
        false
    };
    match tokio::time::timeout(START_WAIT, ready).await {
        Ok(true) => {
            tracing::info!(
                "the mail server runs (postroom serve, pid {})",
                child.id().unwrap_or(0)
            );
            Ok(Running { stdin, child })
        }
        ended => {
            // Ended before `ready` (or hung): its last words say why.
            if ended.is_err() {
                let _ = child.kill().await;
            }
            let _ = child.wait().await;
            let said = match stderr {
                Some(kept) => kept.await.unwrap_or_default(),
                None => String::new(),
            };
            Err(if said.is_empty() {
                format!("{} stopped before it was ready", program.display())
            } else {
                said
            })
        }
    }
}

/// Copies the engine's stderr to ours (its log lines) and returns, once it closes, the last
/// lines without the log prefix noise: `postroom: ...` is how serve says why it stopped.
fn keep_stderr(stderr: tokio::process::ChildStderr) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let mut last: VecDeque<String> = VecDeque::new();
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("{line}");
            if last.len() == KEPT_LINES {
                last.pop_front();
            }
            last.push_back(line);
        }
        why_stopped(&last)
    })
}

/// The reason in the engine's last stderr lines: its `postroom: ...` lines (the error it
/// exited with, listeners it could not open), else the last line.
fn why_stopped(lines: &VecDeque<String>) -> String {
    let own: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.trim_end().strip_prefix("postroom: "))
        .collect();
    if own.is_empty() {
        lines
            .back()
            .map(|l| l.trim_end().to_string())
            .unwrap_or_default()
    } else {
        own.join("\n")
    }
}

/// Waits for the engine to end: stops it when the tray app quits, starts it again when it
/// died on its own.
async fn supervise(
    program: PathBuf,
    data_dir: PathBuf,
    mut running: Running,
    mut quitting: watch::Receiver<bool>,
) {
    let mut pause = RESTART_FIRST;
    loop {
        // The arms only decide: a watch::Ref held across an await would not be Send.
        let quit = tokio::select! {
            ended = running.child.wait() => {
                tracing::error!("the mail server stopped ({}): starting it again", describe(ended));
                false
            }
            _ = quitting.wait_for(|quit| *quit) => true,
        };
        if quit {
            stop(running).await;
            return;
        }
        // Again until it runs; waiting longer each time it does not.
        loop {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = quitting.wait_for(|quit| *quit) => return,
            }
            pause = (pause * 2).min(RESTART_MAX);
            match spawn(&program, &data_dir).await {
                Ok(started) => {
                    running = started;
                    pause = RESTART_FIRST;
                    break;
                }
                Err(why) => tracing::error!("the mail server did not start: {why}"),
            }
        }
    }
}

/// Closes the engine's input (it stops gracefully), then ends it by PID if it is still there
/// after [`STOP_WAIT`].
async fn stop(mut running: Running) {
    drop(running.stdin.take());
    match tokio::time::timeout(STOP_WAIT, running.child.wait()).await {
        Ok(ended) => tracing::info!("the mail server stopped ({})", describe(ended)),
        Err(_) => {
            tracing::warn!("the mail server did not stop in time: ending it");
            let _ = running.child.kill().await;
        }
    }
}

fn describe(ended: std::io::Result<std::process::ExitStatus>) -> String {
    match ended {
        Ok(status) => status.to_string(),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_the_engines_own_line() {
        let lines: VecDeque<String> = [
            "2026-12-08T00:00:00Z  INFO engine: starting",
            "postroom: postroom.toml: line 1: invalid hostname",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            why_stopped(&lines),
            "postroom.toml: line 1: invalid hostname"
        );
        let lines: VecDeque<String> = ["thread 'main' panicked"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(why_stopped(&lines), "thread 'main' panicked");
        assert_eq!(why_stopped(&VecDeque::new()), "");
    }
}
