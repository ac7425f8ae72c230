//! The tray icon: its picture says whether the server is running, needs attention (a
//! listener failed, the queue piles up) or is stopped (it did not start, or receiving is
//! paused); its menu opens the window, pauses receiving, sets the start-up options and quits.
//! Made and changed on the event loop's thread only (GTK on Linux, the main thread on macOS).

use tray_icon::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

use crate::desktop::DesktopSettings;
use crate::texts::Texts;

const OPEN: &str = "open";
const PAUSE: &str = "pause";
const AT_LOGIN: &str = "start-at-login";
const MINIMIZED: &str = "start-minimized";
const QUIT: &str = "quit";

/// What the tray icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Running,
    Warning,
    Stopped,
}

/// What a menu click asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Open,
    TogglePause,
    /// The item's new check state.
    StartAtLogin(bool),
    StartMinimized(bool),
    Quit,
}

pub struct Tray {
    icon: TrayIcon,
    pause: CheckMenuItem,
    at_login: CheckMenuItem,
    minimized: CheckMenuItem,
}

impl Tray {
    pub fn create(texts: &Texts, settings: DesktopSettings) -> tray_icon::Result<Tray> {
        let open = MenuItem::with_id(OPEN, texts.open, true, None);
        let pause = CheckMenuItem::with_id(PAUSE, texts.pause, true, false, None);
        let at_login = CheckMenuItem::with_id(
            AT_LOGIN,
            texts.start_at_login,
            true,
            settings.start_at_login,
            None,
        );
        let minimized = CheckMenuItem::with_id(
            MINIMIZED,
            texts.start_minimized,
            true,
            settings.start_minimized,
            None,
        );
        let quit = MenuItem::with_id(QUIT, texts.quit, true, None);
        let menu = Menu::with_items(&[
            &open,
            &pause,
            &PredefinedMenuItem::separator(),
            &at_login,
            &minimized,
            &PredefinedMenuItem::separator(),
            &quit,
        ])
        .map_err(|e| tray_icon::Error::OsError(std::io::Error::other(e)))?;
        let icon = TrayIconBuilder::new()
            .with_id("postroom")
            .with_icon(icon(State::Running))
            .with_tooltip(texts.running)
            .with_menu(Box::new(menu))
            .build()?;
        Ok(Tray {
            icon,
            pause,
            at_login,
            minimized,
        })
    }

    /// Shows `state` with `tooltip` (what is wrong, in a few words) and whether receiving is
    /// paused.
    pub fn show(&self, state: State, tooltip: &str, paused: bool) {
        let _ = self.icon.set_icon(Some(icon(state)));
        let _ = self.icon.set_tooltip(Some(tooltip));
        self.pause.set_checked(paused);
    }

    /// Puts the start-up items back to what is in effect (after a change failed).
    pub fn show_settings(&self, settings: DesktopSettings) {
        self.at_login.set_checked(settings.start_at_login);
        self.minimized.set_checked(settings.start_minimized);
    }

    /// What a click on the menu asks for; `None` for other menus' events.
    pub fn action(&self, event: &MenuEvent) -> Option<Action> {
        Some(match event.id().as_ref() {
            OPEN => Action::Open,
            PAUSE => Action::TogglePause,
            // The toolkit has already flipped a check item when the click arrives.
            AT_LOGIN => Action::StartAtLogin(self.at_login.is_checked()),
            MINIMIZED => Action::StartMinimized(self.minimized.is_checked()),
            QUIT => Action::Quit,
            _ => return None,
        })
    }
}

fn icon(state: State) -> Icon {
    let png: &[u8] = match state {
        State::Running => include_bytes!("../../icons/tray/running.png"),
        State::Warning => include_bytes!("../../icons/tray/warning.png"),
        State::Stopped => include_bytes!("../../icons/tray/stopped.png"),
    };
    // The three pictures are compiled in and known to decode; a blank dot otherwise.
    decode(png)
        .and_then(|(rgba, w, h)| Icon::from_rgba(rgba, w, h).ok())
        .unwrap_or_else(|| Icon::from_rgba(vec![0; 4], 1, 1).expect("a 1x1 icon"))
}

/// A PNG as 8-bit RGBA.
fn decode(png: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut decoder = png::Decoder::new(png);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).ok()?;
    buf.truncate(frame.buffer_size());
    let rgba = match frame.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        _ => return None,
    };
    Some((rgba, frame.width, frame.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_pictures_decode() {
        for png in [
            &include_bytes!("../../icons/tray/running.png")[..],
            include_bytes!("../../icons/tray/warning.png"),
            include_bytes!("../../icons/tray/stopped.png"),
        ] {
            let (rgba, w, h) = decode(png).expect("decodes");
            assert_eq!(rgba.len(), (w * h * 4) as usize);
        }
    }
}
