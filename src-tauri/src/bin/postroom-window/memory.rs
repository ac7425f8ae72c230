//! Keeping the app's memory down (Linux): WebKitGTK's accelerated compositing and its DMABUF
//! renderer keep GPU buffers and a GL compositor in the web process. A mail server's control
//! panel is a few tables and forms: it needs no GPU compositing, and without it the web
//! process is ~85 MiB smaller (231 → 146 MiB PSS with the dashboard open under Xvfb, Mesa
//! software GL; bench/desktop-memory.sh) and renders the same.
//!
//! Not done, measured: `malloc_trim(0)` after the window closes returns ~0.4 MiB (the app's
//! heap is ~6 MiB by then), not worth an unsafe FFI call.

/// The WebKitGTK variables set unless the user set them (any value, "0" included, is theirs).
#[cfg(target_os = "linux")]
const SOFTWARE_RENDERING: [&str; 2] = [
    "WEBKIT_DISABLE_COMPOSITING_MODE",
    "WEBKIT_DISABLE_DMABUF_RENDERER",
];

/// Turns off WebKitGTK's GPU compositing. Call first thing in `main`: before any thread
/// starts and before GTK or WebKit read the environment (the web and network processes
/// inherit it).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn prefer_software_rendering() {
    for name in SOFTWARE_RENDERING {
        if std::env::var_os(name).is_none() {
            // SAFETY: called at the top of `main`, while the process has a single thread, so
            // no other thread reads or writes the environment at the same time.
            unsafe { std::env::set_var(name, "1") };
        }
    }
}

/// Other platforms' webviews (WebView2, WKWebView) choose their own rendering.
#[cfg(not(target_os = "linux"))]
pub fn prefer_software_rendering() {}
