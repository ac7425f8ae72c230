//! Watches the running engine's health, every few seconds and after a tray action: it sets
//! the tray icon and raises a desktop notification once per episode (when a listener fails,
//! when the queue starts piling up).

use std::sync::Arc;
use std::time::Duration;

use tao::event_loop::EventLoopProxy;
use tokio::sync::Notify;

use crate::UserEvent;
use crate::backend::{Backend, Health};
use crate::texts::Texts;
use crate::tray::State;

/// More deferred messages than this: the queue is piling up.
const DEFERRED_ALARM: u64 = 50;
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// What is wrong now; each is an episode that is notified when it begins.
#[derive(Debug, Default, PartialEq, Eq)]
struct Problems {
    /// "smtp 0.0.0.0:25: port 25 is in use".
    failed_listeners: Vec<String>,
    /// The deferred count, when above [`DEFERRED_ALARM`].
    piling_up: Option<u64>,
}

/// The running health check; [`Watch::toggle_receiving`] is the tray's "Pause receiving".
#[derive(Clone)]
pub struct Watch {
    engine: Backend,
    /// Wakes the check early (after the tray toggled receiving).
    wake: Arc<Notify>,
}

impl Watch {
    /// Starts the check on the current runtime; each result goes to the event loop.
    pub fn start(
        engine: Backend,
        proxy: EventLoopProxy<UserEvent>,
        texts: &'static Texts,
    ) -> Watch {
        let watch = Watch {
            engine,
            wake: Arc::default(),
        };
        tokio::spawn(watch.clone().run(proxy, texts));
        watch
    }

    /// Flips the engine's receiving state, then shows it.
    pub fn toggle_receiving(&self) {
        let watch = self.clone();
        tokio::spawn(async move {
            let paused = match watch.engine.health().await {
                Ok(health) => health.receiving_paused,
                Err(e) => {
                    tracing::warn!("cannot change receiving: {e}");
                    return;
                }
            };
            if let Err(e) = watch.engine.set_receiving_paused(!paused).await {
                tracing::warn!("cannot change receiving: {e}");
            }
            watch.wake.notify_one();
        });
    }

    async fn run(self, proxy: EventLoopProxy<UserEvent>, texts: &'static Texts) {
        let mut before = Problems::default();
        loop {
            let health = self.engine.health().await;
            if let Err(why) = &health {
                // The service stopped, or does not answer: the tray says so.
                let shown = proxy.send_event(UserEvent::Health {
                    state: State::Stopped,
                    tooltip: why.clone(),
                    paused: false,
                });
                if shown.is_err() {
                    return;
                }
            }
            if let Ok(status) = health {
                let now = problems(&status);
                for (title, body) in news(texts, &before, &now) {
                    notify(title, body);
                }
                let (state, tooltip) = summary(texts, &now, status.receiving_paused);
                let shown = proxy.send_event(UserEvent::Health {
                    state,
                    tooltip,
                    paused: status.receiving_paused,
                });
                if shown.is_err() {
                    return; // The event loop has ended: the app quits.
                }
                before = now;
            }
            let _ = tokio::time::timeout(CHECK_EVERY, self.wake.notified()).await;
        }
    }
}

fn problems(status: &Health) -> Problems {
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

fn summary(texts: &Texts, problems: &Problems, paused: bool) -> (State, String) {
    if let Some(failed) = problems.failed_listeners.first() {
        return (State::Warning, texts.problem(failed));
    }
    if let Some(n) = problems.piling_up {
        return (State::Warning, texts.problem(&texts.waiting(n)));
    }
    if paused {
        return (State::Stopped, texts.paused.to_string());
    }
    (State::Running, texts.running.to_string())
}

/// A notification (title, body) for each problem that was not there at the last check.
fn news(texts: &Texts, before: &Problems, now: &Problems) -> Vec<(&'static str, String)> {
    let mut news = Vec::new();
    if before.failed_listeners.is_empty() && !now.failed_listeners.is_empty() {
        news.push((texts.service_stopped, now.failed_listeners.join("\n")));
    }
    if let (None, Some(n)) = (before.piling_up, now.piling_up) {
        news.push((texts.piling_up, texts.waiting(n)));
    }
    news
}

/// A desktop notification (D-Bus on Linux, the notification centre elsewhere), off the
/// runtime's threads: showing one may wait on the desktop.
pub fn notify(title: &'static str, body: String) {
    tokio::task::spawn_blocking(move || {
        let shown = notify_rust::Notification::new()
            .appname("Postroom")
            .summary(title)
            .body(&body)
            .show();
        if let Err(e) = shown {
            tracing::warn!("cannot show a notification: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> &'static Texts {
        Texts::for_locale("en")
    }

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
        assert_eq!(news(en(), &ok, &down).len(), 1);
        // Still down, or a second one down too: the same episode.
        assert!(news(en(), &down, &down).is_empty());
        let both = failed(&["smtp 0.0.0.0:25: port 25 is in use", "imap 0.0.0.0:143: x"]);
        assert!(news(en(), &down, &both).is_empty());
        // Back up, then down again: a new episode.
        assert!(news(en(), &down, &ok).is_empty());
        assert_eq!(news(en(), &ok, &down)[0].0, "A mail service stopped");
    }

    #[test]
    fn a_piling_queue_is_notified_when_it_starts_piling() {
        let ok = Problems::default();
        let piling = |n| Problems {
            piling_up: Some(n),
            ..Problems::default()
        };
        let first = news(en(), &ok, &piling(51));
        assert_eq!(first.len(), 1);
        assert!(first[0].1.starts_with("51 messages"));
        assert!(news(en(), &piling(51), &piling(80)).is_empty());
    }

    #[test]
    fn the_tray_shows_warnings_before_a_pause() {
        let down = failed(&["smtp 0.0.0.0:25: port 25 is in use"]);
        assert_eq!(summary(en(), &down, true).0, State::Warning);
        assert_eq!(summary(en(), &Problems::default(), true).0, State::Stopped);
        assert_eq!(summary(en(), &Problems::default(), false).0, State::Running);
    }
}
