//! Watches the running engine: every event goes to the webview as `postroom://event` (the
//! same payload as the web admin's SSE stream), and the engine's health, checked every few
//! seconds and after a tray action, sets the tray icon and raises a desktop notification
//! once per episode (when a listener fails, when the queue starts piling up).

use std::sync::Arc;
use std::time::Duration;

use engine::EngineHandle;
use engine::api::status::Status;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::Notify;

use crate::Engine;
use crate::tray::{self, State};

/// The Tauri event that carries each `engine::api::log::Event`.
pub const EVENT: &str = "postroom://event";
/// More deferred messages than this: the queue is piling up.
const DEFERRED_ALARM: u64 = 50;
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Wakes the health check early (after the tray toggled receiving).
#[derive(Default)]
struct Wake(Arc<Notify>);

/// What is wrong now; each is an episode that is notified when it begins.
#[derive(Debug, Default, PartialEq, Eq)]
struct Problems {
    /// "smtp 0.0.0.0:25: port 25 is in use".
    failed_listeners: Vec<String>,
    /// The deferred count, when above [`DEFERRED_ALARM`].
    piling_up: Option<u64>,
}

pub fn start(app: &AppHandle) {
    let engine = match app.state::<Engine>().get() {
        Ok(engine) => engine.clone(),
        Err(e) => {
            tray::show(app, State::Stopped, &e.message, false);
            return;
        }
    };
    let mut events = engine.subscribe();
    let forward = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = events.next().await {
            let _ = forward.emit(EVENT, &event);
        }
    });
    let wake = Wake::default();
    let notify = wake.0.clone();
    app.manage(wake);
    tauri::async_runtime::spawn(watch_health(app.clone(), engine, notify));
}

/// The tray's "Pause receiving": flips the engine's state, then shows it.
pub fn toggle_receiving(app: &AppHandle) {
    let Ok(engine) = app.state::<Engine>().get().cloned() else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let paused = engine.receiving_paused();
        if let Err(e) = engine.set_receiving_paused(!paused).await {
            tracing::warn!("cannot change receiving: {e}");
        }
        app.state::<Wake>().0.notify_one();
    });
}

async fn watch_health(app: AppHandle, engine: EngineHandle, wake: Arc<Notify>) {
    let mut before = Problems::default();
    loop {
        if let Ok(status) = engine.status().await {
            let now = problems(&status);
            for (title, body) in news(&before, &now) {
                notify(&app, title, &body);
            }
            let (state, tooltip) = summary(&now, status.receiving_paused);
            tray::show(&app, state, &tooltip, status.receiving_paused);
            before = now;
        }
        let _ = tokio::time::timeout(CHECK_EVERY, wake.notified()).await;
    }
}

fn problems(status: &Status) -> Problems {
    Problems {
        failed_listeners: status
            .listeners
            .iter()
            .filter(|l| !l.up)
            .map(|l| {
                let why = l.error.as_deref().unwrap_or("not listening");
                format!("{} {}: {why}", l.service, l.address)
            })
            .collect(),
        piling_up: Some(status.queue.deferred).filter(|&n| n > DEFERRED_ALARM),
    }
}

fn summary(problems: &Problems, paused: bool) -> (State, String) {
    if let Some(failed) = problems.failed_listeners.first() {
        return (State::Warning, format!("Postroom: {failed}"));
    }
    if let Some(n) = problems.piling_up {
        return (
            State::Warning,
            format!("Postroom: {n} messages wait to be sent"),
        );
    }
    if paused {
        return (State::Stopped, "Postroom: receiving is paused".to_string());
    }
    (State::Running, "Postroom is running".to_string())
}

/// A notification (title, body) for each problem that was not there at the last check.
fn news(before: &Problems, now: &Problems) -> Vec<(&'static str, String)> {
    let mut news = Vec::new();
    if before.failed_listeners.is_empty() && !now.failed_listeners.is_empty() {
        news.push(("A mail service stopped", now.failed_listeners.join("\n")));
    }
    if let (None, Some(n)) = (before.piling_up, now.piling_up) {
        let body = format!("{n} messages could not be delivered yet and wait in the queue.");
        news.push(("Outgoing mail is piling up", body));
    }
    news
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!("cannot show a notification: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(listeners: &[&str]) -> Problems {
        Problems {
            failed_listeners: listeners.iter().map(|l| l.to_string()).collect(),
            piling_up: None,
        }
    }

    #[test]
    fn a_failed_listener_is_notified_once_per_episode() {
        let ok = Problems::default();
        let down = failed(&["smtp 0.0.0.0:25: port 25 is in use"]);
        assert_eq!(news(&ok, &down).len(), 1);
        // Still down, or a second one down too: the same episode.
        assert!(news(&down, &down).is_empty());
        let both = failed(&["smtp 0.0.0.0:25: port 25 is in use", "imap 0.0.0.0:143: x"]);
        assert!(news(&down, &both).is_empty());
        // Back up, then down again: a new episode.
        assert!(news(&down, &ok).is_empty());
        assert_eq!(news(&ok, &down)[0].0, "A mail service stopped");
    }

    #[test]
    fn a_piling_queue_is_notified_when_it_starts_piling() {
        let ok = Problems::default();
        let piling = |n| Problems {
            piling_up: Some(n),
            ..Problems::default()
        };
        let first = news(&ok, &piling(51));
        assert_eq!(first.len(), 1);
        assert!(first[0].1.starts_with("51 messages"));
        assert!(news(&piling(51), &piling(80)).is_empty());
    }

    #[test]
    fn the_tray_shows_warnings_before_a_pause() {
        let down = failed(&["smtp 0.0.0.0:25: port 25 is in use"]);
        assert_eq!(summary(&down, true).0, State::Warning);
        assert_eq!(summary(&Problems::default(), true).0, State::Stopped);
        assert_eq!(summary(&Problems::default(), false).0, State::Running);
    }
}
