//! Keeping the tray app small (Linux): GTK 3 probes OpenGL when it opens the X display, which
//! loads Mesa's driver and LLVM (~28 MiB PSS under Xvfb with software GL) into a process that
//! only draws a tray icon and a menu. `GDK_GL=disable` skips the probe: the tray app measured
//! 87 → 53 MiB PSS (debug build). The window's process gets the user's own setting back.

/// Set unless the user set it (then it is theirs, in both processes).
#[cfg(target_os = "linux")]
const GDK_GL: &str = "GDK_GL";

/// Turns off GTK's OpenGL in this process. Call first thing in `main`: before any thread
/// starts and before GTK reads the environment. Returns whether it changed anything.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn no_gl() -> bool {
    if std::env::var_os(GDK_GL).is_some() {
        return false;
    }
    // SAFETY: called at the top of `main`, while the process has a single thread, so no
    // other thread reads or writes the environment at the same time.
    unsafe { std::env::set_var(GDK_GL, "disable") };
    true
}

/// Gives a child process (the window) the environment the user started us with.
#[cfg(target_os = "linux")]
pub fn restore_for_child(command: &mut tokio::process::Command, changed: bool) {
    if changed {
        command.env_remove(GDK_GL);
    }
}

/// Other platforms draw their tray icons without GTK.
#[cfg(not(target_os = "linux"))]
pub fn no_gl() -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
pub fn restore_for_child(_command: &mut tokio::process::Command, _changed: bool) {}
