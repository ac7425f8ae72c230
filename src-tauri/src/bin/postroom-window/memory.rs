//! Keeping the window's memory down (Linux), measured with the dashboard open under Xvfb
//! (Mesa software GL; bench/desktop-memory.sh):
//! - WebKitGTK's accelerated compositing and its DMABUF renderer keep GPU buffers and a GL
//!   compositor in the web process. A mail server's control panel is a few tables and forms:
//!   it needs no GPU compositing, and without it the web process is ~85 MiB smaller
//!   (231 → 146 MiB PSS) and renders the same.
//! - JavaScriptCore's JIT tiers keep compiled code and their own heaps; the panel's scripts
//!   are light enough for the interpreter. Without the JIT the web process is ~21 MiB smaller
//!   (150 → 129 MiB PSS).
//!
//! Not done, measured: `malloc_trim(0)` returns ~0.4 MiB; `GDK_GL=disable` saves nothing here
//! (WebKit opens its own EGL display); without any EGL driver the web process does not start.

/// The variables set unless the user set them (any value, "0" included, is theirs), with
/// their values.
#[cfg(target_os = "linux")]
const LIGHT_WEBVIEW: [(&str, &str); 3] = [
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("JSC_useJIT", "false"),
];

/// Turns off WebKitGTK's GPU compositing and JavaScriptCore's JIT. Call first thing in
/// `main`: before any thread starts and before GTK or WebKit read the environment (the web
/// and network processes inherit it).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn prefer_light_webview() {
    for (name, value) in LIGHT_WEBVIEW {
        if std::env::var_os(name).is_none() {
            // SAFETY: called at the top of `main`, while the process has a single thread, so
            // no other thread reads or writes the environment at the same time.
            unsafe { std::env::set_var(name, value) };
        }
    }
}

/// Other platforms' webviews (WebView2, WKWebView) choose their own rendering.
#[cfg(not(target_os = "linux"))]
pub fn prefer_light_webview() {}
