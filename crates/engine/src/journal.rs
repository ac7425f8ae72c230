//! The journal: what the engine did recently, for the control panel. A tracing [`Layer`]
//! keeps the last INFO-and-above events in a ring buffer, broadcasts each one for the live
//! log, and counts the events that mean traffic (a message accepted, a recipient refused, a
//! failed login, a delivery recorded) into totals and a 24-hour history.
//!
//! The journal is one per process: whoever installs the tracing subscriber (the CLI's
//! `serve`, the desktop app) adds [`layer`]; the engine reads [`journal`]. Without the layer
//! the log is empty and the counters stay at zero.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::broadcast;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Entries kept for `GET /api/log`.
const RING: usize = 1000;
/// Hours of history kept.
const HOURS: usize = 24;

/// One log event.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LogEntry {
    /// Increases by one per entry; a client asks for entries after the last it saw.
    pub seq: u64,
    /// Unix milliseconds.
    pub time: i64,
    /// `ERROR`, `WARN` or `INFO`.
    pub level: String,
    /// The module that logged it, e.g. `smtp::op::data`.
    pub target: String,
    pub message: String,
    /// The event's other fields (`peer`, `session`, `user`...), as text.
    pub fields: BTreeMap<String, String>,
}

/// Traffic counted since the process started.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counters {
    /// Messages accepted (SMTP 250 after DATA/BDAT).
    pub received: u64,
    /// Recipients or messages refused (unknown recipient, relay denied, too big, bare LF).
    pub rejected: u64,
    /// Failed logins, every protocol.
    pub auth_failures: u64,
    /// Outbound recipients delivered.
    pub delivered: u64,
    /// Outbound attempts deferred for a retry.
    pub deferred: u64,
    /// Outbound recipients failed for good (a DSN went to the sender).
    pub bounced: u64,
}

/// The counters of one hour.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct HourCounters {
    /// Unix seconds at the start of the hour.
    pub hour: i64,
    #[serde(flatten)]
    pub counters: Counters,
}

#[derive(Clone, Copy)]
enum Counter {
    Received,
    Rejected,
    AuthFailures,
    Delivered,
    Deferred,
    Bounced,
}

/// The process's journal; see the module doc.
pub struct Journal {
    seq: AtomicU64,
    ring: Mutex<VecDeque<LogEntry>>,
    events: broadcast::Sender<LogEntry>,
    totals: [AtomicU64; 6],
    hours: Mutex<[(i64, Counters); HOURS]>,
}

/// The journal of this process.
pub fn journal() -> &'static Journal {
    static JOURNAL: OnceLock<Journal> = OnceLock::new();
    JOURNAL.get_or_init(|| Journal {
        seq: AtomicU64::new(0),
        ring: Mutex::new(VecDeque::with_capacity(RING)),
        events: broadcast::channel(256).0,
        totals: Default::default(),
        hours: Mutex::new([(0, Counters::default()); HOURS]),
    })
}

/// The tracing layer that feeds [`journal`]; add it to the subscriber.
pub fn layer() -> JournalLayer {
    JournalLayer
}

impl Journal {
    /// The most recent entries with `seq > after`, oldest first, at most `limit`.
    pub fn recent(&self, after: u64, limit: usize) -> Vec<LogEntry> {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        let newer: Vec<&LogEntry> = ring.iter().filter(|e| e.seq > after).collect();
        let skip = newer.len().saturating_sub(limit);
        newer.into_iter().skip(skip).cloned().collect()
    }

    /// Every entry from now on; a subscriber that falls behind skips ahead (lags).
    pub fn subscribe(&self) -> broadcast::Receiver<LogEntry> {
        self.events.subscribe()
    }

    pub fn totals(&self) -> Counters {
        let get = |c: Counter| self.totals[c as usize].load(Ordering::Relaxed);
        Counters {
            received: get(Counter::Received),
            rejected: get(Counter::Rejected),
            auth_failures: get(Counter::AuthFailures),
            delivered: get(Counter::Delivered),
            deferred: get(Counter::Deferred),
            bounced: get(Counter::Bounced),
        }
    }

    /// The last 24 hours, oldest first, the current hour last; hours without events are zero.
    pub fn history(&self) -> Vec<HourCounters> {
        self.history_at(unix_ms() / 1000)
    }

    fn history_at(&self, now: i64) -> Vec<HourCounters> {
        let hours = self.hours.lock().unwrap_or_else(|e| e.into_inner());
        let current = now.div_euclid(3600);
        (0..HOURS as i64)
            .rev()
            .map(|back| {
                let hour = current - back;
                let (slot_hour, counters) = hours[hour.rem_euclid(HOURS as i64) as usize];
                HourCounters {
                    hour: hour * 3600,
                    counters: if slot_hour == hour {
                        counters
                    } else {
                        Counters::default()
                    },
                }
            })
            .collect()
    }

    fn count(&self, counter: Counter, now: i64) {
        self.totals[counter as usize].fetch_add(1, Ordering::Relaxed);
        let hour = now.div_euclid(3600);
        let mut hours = self.hours.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut hours[hour.rem_euclid(HOURS as i64) as usize];
        if slot.0 != hour {
            *slot = (hour, Counters::default());
        }
        let c = &mut slot.1;
        *match counter {
            Counter::Received => &mut c.received,
            Counter::Rejected => &mut c.rejected,
            Counter::AuthFailures => &mut c.auth_failures,
            Counter::Delivered => &mut c.delivered,
            Counter::Deferred => &mut c.deferred,
            Counter::Bounced => &mut c.bounced,
        } += 1;
    }

    fn record(&self, mut entry: LogEntry) {
        if let Some(counter) = classify(&entry) {
            self.count(counter, entry.time / 1000);
        }
        entry.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        {
            let mut ring = self.ring.lock().unwrap_or_else(|e| e.into_inner());
            if ring.len() == RING {
                ring.pop_front();
            }
            ring.push_back(entry.clone());
        }
        // Nobody listening is fine.
        let _ = self.events.send(entry);
    }
}

/// Which counter an event moves: the messages below are logged where the thing happens
/// (`smtp::op::data`, `smtp::op::rcpt`, the logins, `queue::delivery`'s record).
fn classify(entry: &LogEntry) -> Option<Counter> {
    match entry.message.as_str() {
        "message accepted" => Some(Counter::Received),
        "unknown recipient"
        | "relay denied"
        | "message too big"
        | "bare CR or LF in message data" => Some(Counter::Rejected),
        "authentication failed" => Some(Counter::AuthFailures),
        "delivery recorded" => match entry.fields.get("outcome").map(String::as_str) {
            Some("delivered") => Some(Counter::Delivered),
            Some("deferred") => Some(Counter::Deferred),
            Some("failed") => Some(Counter::Bounced),
            _ => None,
        },
        _ => None,
    }
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// See [`layer`].
pub struct JournalLayer;

impl<S: Subscriber> Layer<S> for JournalLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        // DEBUG and TRACE are for a developer's terminal, not the control panel.
        if *meta.level() > Level::INFO {
            return;
        }
        let mut visitor = Fields::default();
        event.record(&mut visitor);
        journal().record(LogEntry {
            seq: 0,
            time: unix_ms(),
            level: meta.level().to_string(),
            target: meta.target().to_string(),
            message: visitor.message,
            fields: visitor.fields,
        });
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    fields: BTreeMap<String, String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields
                .insert(field.name().to_string(), value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.fields
                .insert(field.name().to_string(), format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(message: &str, outcome: Option<&str>) -> LogEntry {
        LogEntry {
            seq: 0,
            time: 0,
            level: "INFO".into(),
            target: "t".into(),
            message: message.into(),
            fields: outcome
                .map(|o| [("outcome".to_string(), o.to_string())].into())
                .unwrap_or_default(),
        }
    }

    #[test]
    fn traffic_events_are_classified_by_their_message() {
        assert!(matches!(
            classify(&entry("message accepted", None)),
            Some(Counter::Received)
        ));
        assert!(matches!(
            classify(&entry("delivery recorded", Some("failed"))),
            Some(Counter::Bounced)
        ));
        assert!(classify(&entry("listening", None)).is_none());
    }

    #[test]
    fn history_has_24_hours_and_forgets_old_slots() {
        let journal = Journal {
            seq: AtomicU64::new(0),
            ring: Mutex::new(VecDeque::new()),
            events: broadcast::channel(4).0,
            totals: Default::default(),
            hours: Mutex::new([(0, Counters::default()); HOURS]),
        };
        let now = 1_000_000 * 3600;
        // 24 hours ago shares the slot of now and is forgotten when now is counted.
        journal.count(Counter::Rejected, now - 24 * 3600);
        journal.count(Counter::Received, now);
        journal.count(Counter::Received, now - 3600);
        journal.count(Counter::Rejected, now);
        let history = journal.history_at(now);
        assert_eq!(history.len(), 24);
        assert_eq!(history[23].hour, now);
        assert_eq!(history[23].counters.received, 1);
        assert_eq!(history[23].counters.rejected, 1);
        assert_eq!(history[22].counters.received, 1);
        assert_eq!(journal.totals().rejected, 2);
    }
}
