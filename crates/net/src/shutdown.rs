//! SIGINT/SIGTERM (Ctrl-C elsewhere) to a cancellation token.

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

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn register() -> Signals {
        Signals
    }

    async fn recv(self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending().await
            }
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
