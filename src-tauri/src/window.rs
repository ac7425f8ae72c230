//! The control panel window, as its own process (`postroom-window`): Open starts one, signed
//! in to the engine's private loopback admin listener through a one-time link; closing the
//! window ends that process, and WebKit's web and network processes with it, so the app in
//! the tray holds no web engine at all. A second Open while a window runs starts a process
//! that hands over to the first (which comes to the front) and exits.

use std::path::PathBuf;
use std::sync::Mutex;

use tokio::process::Command;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::backend::Backend;

/// The sign-in link a window opens (its environment, not its command line, which other users
/// can read).
pub const URL_ENV: &str = "POSTROOM_WINDOW_URL";
/// Why the mail server is not running, for a window to show instead of the control panel.
pub const ERROR_ENV: &str = "POSTROOM_WINDOW_ERROR";

pub struct Windows {
    program: std::io::Result<PathBuf>,
    /// The engine (this app's or the service's), or why there is none.
    engine: Result<Backend, String>,
    /// One task per window process: it waits for the process to end (reaping it), or ends it
    /// when `quit` turns true.
    running: Mutex<Vec<JoinHandle<()>>>,
    quit: watch::Sender<bool>,
    /// Whether [`crate::memory::no_gl`] changed the environment the window inherits.
    no_gl: bool,
}

impl Windows {
    pub fn new(engine: Result<Backend, String>, no_gl: bool) -> Windows {
        Windows {
            program: postroom_desktop::sibling("postroom-window"),
            engine,
            running: Mutex::default(),
            quit: watch::Sender::new(false),
            no_gl,
        }
    }

    /// The engine, when there is one.
    pub fn engine(&self) -> Option<&Backend> {
        self.engine.as_ref().ok()
    }

    /// A one-time sign-in link to the engine's loopback admin listener (a service's too:
    /// who can read its engine-control file may write its sign-in codes).
    pub fn link(&self) -> Result<String, String> {
        self.engine.as_ref().map_err(Clone::clone)?.signin_link()
    }

    /// Starts a window process (call inside the runtime: it is a tokio child process).
    pub fn open(&self) -> Result<(), String> {
        let program = self.program.as_ref().map_err(|e| e.to_string())?;
        let mut command = Command::new(program);
        crate::memory::restore_for_child(&mut command, self.no_gl);
        match self.link() {
            Ok(url) => command.env(URL_ENV, url),
            Err(why) => command.env(ERROR_ENV, why),
        };
        let mut child = command
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        let mut quit = self.quit.subscribe();
        let task = tokio::spawn(async move {
            let quitting = tokio::select! {
                _ = child.wait() => false,
                _ = quit.wait_for(|quit| *quit) => true,
            };
            if quitting {
                let _ = child.kill().await;
            }
        });
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|task| !task.is_finished());
        running.push(task);
        Ok(())
    }

    /// Ends every window process (the app quits).
    pub async fn close_all(&self) {
        self.quit.send_replace(true);
        let running = std::mem::take(&mut *self.running.lock().unwrap_or_else(|e| e.into_inner()));
        for task in running {
            let _ = task.await;
        }
    }
}
