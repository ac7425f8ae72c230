//! Keeping the app small while it sits in the tray (Linux).
//!
//! - [`prefer_software_rendering`]: WebKitGTK's accelerated compositing and its DMABUF
//!   renderer load Mesa (with libLLVM for software GL under X without a GPU) and keep GPU
//!   buffers in the web process. A mail server's control panel is a few tables and forms: it
//!   needs no GPU compositing, and without it the web process is ~80 MiB smaller (measured
//!   under Xvfb, bench/desktop-memory.sh). A user who set either variable keeps their choice.
//! - [`release_freed_memory`]: after the window (and its webview) is destroyed, glibc keeps
//!   the freed heap; `malloc_trim` hands it back to the system.

/// The WebKitGTK variables set unless the user set them: no accelerated compositing, no
/// DMABUF renderer.
#[cfg(target_os = "linux")]
const SOFTWARE_RENDERING: [&str; 2] = [
    "WEBKIT_DISABLE_COMPOSITING_MODE",
    "WEBKIT_DISABLE_DMABUF_RENDERER",
];

/// Turns off WebKitGTK's GPU compositing. Call first thing in `main`: before any thread
/// starts and before GTK or WebKit read the environment.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn prefer_software_rendering() {
    for name in SOFTWARE_RENDERING {
        if std::env::var_os(name).is_none() {
            // SAFETY: called at the top of `main`, while the process has a single thread, so no
            // other thread reads or writes the environment concurrently.
            unsafe { std::env::set_var(name, "1") };
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn prefer_software_rendering() {}

/// How long after the window is destroyed the heap is trimmed: GTK and WebKit finish tearing
/// the webview down in later iterations of the main loop.
const AFTER_CLOSE: std::time::Duration = std::time::Duration::from_secs(2);

/// Trims the heap now and once the webview's teardown has finished.
pub fn release_after_close() {
    release_freed_memory();
    tauri::async_runtime::spawn(async {
        tokio::time::sleep(AFTER_CLOSE).await;
        release_freed_memory();
    });
}

/// Returns the heap freed by a destroyed webview to the system (glibc keeps it otherwise).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed_memory() {
    // SAFETY: malloc_trim(3) takes a plain integer, has no preconditions and is thread-safe
    // (it locks each arena it trims).
    let _ = unsafe { libc::malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed_memory() {}
