//! SIGINT/SIGTERM (Ctrl-C, Ctrl-Break, console close and shutdown on Windows) to a
//! cancellation token.

use tokio_util::sync::CancellationToken;

/// A token cancelled on SIGINT or SIGTERM.
///
/// Call it inside a tokio runtime; outside one (a programming error) the problem is logged
/// and the token is never cancelled by a signal.
pub fn shutdown_on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!(
            "shutdown_on_signals called outside a tokio runtime; signals are not handled"
        );
        return token;
    };
    // Register before returning, inside the runtime, so a signal that comes right away is seen.
    let _entered = runtime.enter();
    let signals = Signals::register();
    let cancel = token.clone();
    runtime.spawn(async move {
        let name = signals.recv().await;
        tracing::info!("{name} received, shutting down");
        cancel.cancel();
    });
    token
}

#[cfg(unix)]
struct Signals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn register() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let register = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(signal) => Some(signal),
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for {name}");
                None
            }
        };
        Signals {
            interrupt: register(SignalKind::interrupt(), "SIGINT"),
            terminate: register(SignalKind::terminate(), "SIGTERM"),
        }
    }

    /// Waits for the first signal and names it.
    async fn recv(mut self) -> &'static str {
        async fn next(signal: Option<&mut tokio::signal::unix::Signal>) {
            match signal {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = next(self.interrupt.as_mut()) => "SIGINT",
            () = next(self.terminate.as_mut()) => "SIGTERM",
        }
    }
}

/// Windows: Ctrl+C and Ctrl+Break in the console, the console window closed, and the system
/// shutting down. Registered at once: until a handler is registered, Ctrl+C ends the process
/// without a graceful stop. (The service gets its stop and shutdown from the SCM instead.)
#[cfg(windows)]
struct Signals {
    ctrl_c: Option<tokio::signal::windows::CtrlC>,
    ctrl_break: Option<tokio::signal::windows::CtrlBreak>,
    ctrl_close: Option<tokio::signal::windows::CtrlClose>,
    ctrl_shutdown: Option<tokio::signal::windows::CtrlShutdown>,
}

#[cfg(windows)]
impl Signals {
    fn register() -> Signals {
        use tokio::signal::windows;
        fn ok<T>(registered: std::io::Result<T>, name: &str) -> Option<T> {
            registered
                .map_err(|e| tracing::error!(error = %e, "cannot listen for {name}"))
                .ok()
        }
        Signals {
            ctrl_c: ok(windows::ctrl_c(), "Ctrl-C"),
            ctrl_break: ok(windows::ctrl_break(), "Ctrl-Break"),
            ctrl_close: ok(windows::ctrl_close(), "the console closing"),
            ctrl_shutdown: ok(windows::ctrl_shutdown(), "system shutdown"),
        }
    }

    /// Waits for the first event and names it.
    async fn recv(mut self) -> &'static str {
        async fn next<F: std::future::Future>(event: Option<F>) {
            match event {
                Some(event) => {
                    event.await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = next(self.ctrl_c.as_mut().map(|s| s.recv())) => "Ctrl-C",
            () = next(self.ctrl_break.as_mut().map(|s| s.recv())) => "Ctrl-Break",
            () = next(self.ctrl_close.as_mut().map(|s| s.recv())) => "console close",
            () = next(self.ctrl_shutdown.as_mut().map(|s| s.recv())) => "system shutdown",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn outside_a_runtime_the_token_is_returned_uncancelled() {
        assert!(!shutdown_on_signals().is_cancelled());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn sigterm_cancels_the_token() {
        let token = shutdown_on_signals();
        // The handler is installed by now, so SIGTERM does not end the test process. The
        // workspace denies unsafe code, so the signal goes through `kill`, not libc::kill.
        let status = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(5), token.cancelled())
            .await
            .expect("cancelled on SIGTERM");
    }
}
