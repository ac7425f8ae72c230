//! The control panel window. Closing it destroys the window and its webview (WebKit's web
//! process goes with it), so an app that sits in the tray holds no web content; Open (the
//! tray menu, a second launch) creates it again.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

/// The window's label; `capabilities/default.json` names it.
pub const MAIN: &str = "main";

/// Shows the window, creating it when it was closed.
pub fn show(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let built = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Postroom")
        .inner_size(1100.0, 740.0)
        .min_inner_size(720.0, 480.0)
        .build();
    if let Err(e) = built {
        tracing::error!("cannot open the window: {e}");
    }
}
