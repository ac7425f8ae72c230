//! The open-file limit: every connection is a file descriptor, and the usual soft limit
//! (1024 on Linux, 256 on macOS) is reached by a few hundred idle clients, after which no
//! listener can accept. The hard limit is what the system allows this process; the soft one
//! is raised to it at start.

/// Raises the soft limit on open files to the hard limit; logs what it got.
#[cfg(unix)]
pub(crate) fn raise() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let Some(hard) = limit.maximum else {
        // Unlimited: macOS still refuses more than OPEN_MAX (10240).
        return set(limit, 10_240);
    };
    if limit.current.is_some_and(|soft| soft >= hard) {
        return;
    }
    set(limit, hard);

    fn set(limit: Rlimit, soft: u64) {
        let raised = Rlimit {
            current: Some(soft),
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => {
                tracing::debug!(from = ?limit.current, to = soft, "raised the open-file limit")
            }
            Err(e) => {
                tracing::warn!(error = %e, soft = ?limit.current, "cannot raise the open-file limit")
            }
        }
    }
}

/// Windows has no such per-process limit on sockets.
#[cfg(not(unix))]
pub(crate) fn raise() {}
