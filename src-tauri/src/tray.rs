//! The tray icon: its picture says whether the server is running, needs attention (a
//! listener failed, the queue piles up) or is stopped (it did not start, or receiving is
//! paused); its menu opens the window, pauses receiving and quits.

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};

use crate::{watch, window};

const TRAY: &str = "postroom";
const OPEN: &str = "open";
const PAUSE: &str = "pause";
const QUIT: &str = "quit";

/// What the tray icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    Warning,
    Stopped,
}

/// The menu's check item, kept to show the engine's receiving state.
struct PauseItem(CheckMenuItem<Wry>);

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Postroom", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, PAUSE, "Pause receiving", true, false, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &pause, &separator, &quit])?;
    TrayIconBuilder::with_id(TRAY)
        .icon(icon(State::Running))
        .tooltip("Postroom")
        .menu(&menu)
        .on_menu_event(on_menu)
        .build(app)?;
    app.manage(PauseItem(pause));
    Ok(())
}

/// Shows `state` with `tooltip` (what is wrong, in a few words) and whether receiving is paused.
pub fn show(app: &AppHandle, state: State, tooltip: &str, paused: bool) {
    if let Some(tray) = app.tray_by_id(TRAY) {
        set(&tray, state, tooltip);
    }
    if let Some(item) = app.try_state::<PauseItem>() {
        let _ = item.0.set_checked(paused);
    }
}

fn set(tray: &TrayIcon, state: State, tooltip: &str) {
    let _ = tray.set_icon(Some(icon(state)));
    let _ = tray.set_tooltip(Some(tooltip));
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => window::show(app),
        PAUSE => watch::toggle_receiving(app),
        QUIT => app.exit(0),
        _ => {}
    }
}

fn icon(state: State) -> Image<'static> {
    let png: &[u8] = match state {
        State::Running => include_bytes!("../../icons/tray/running.png"),
        State::Warning => include_bytes!("../../icons/tray/warning.png"),
        State::Stopped => include_bytes!("../../icons/tray/stopped.png"),
    };
    // The three pictures are compiled in and known to decode.
    Image::from_bytes(png).unwrap_or_else(|_| Image::new(&[0, 0, 0, 0], 1, 1))
}
