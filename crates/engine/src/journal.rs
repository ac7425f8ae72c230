//! The journal: what the engine did recently, for the control panel. Two inputs, kept apart:
//!
//! - Typed [`event::Event`]s (a message accepted, a recipient refused, a failed login, a
//!   delivery recorded), emitted where the work happens: counted into totals and a 24-hour
//!   history, and broadcast as [`Traffic`] for the live event stream. [`install`] (called by
//!   `engine::start`) makes this journal the process's event sink.
//! - Log lines: a tracing [`Layer`] keeps the last INFO-and-above lines in a ring buffer and
//!   broadcasts each one for the live log. They are for people: nothing here reads their
//!   text, so rewording one changes no counter.
//!
//! The journal is one per process: whoever installs the tracing subscriber (the CLI's
//! `serve`, the desktop app) adds [`layer`]; the engine reads [`journal`]. Without the layer
//! the live log is empty; the counters do not need it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use event::Event as Emitted;
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
    /// Recipients or messages refused in the SMTP dialogue (every `Rejected` event: unknown
    /// recipient, relay denied, too big, bare CR, mailbox full, mail loop...).
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

/// A typed event as the live stream carries it: `{"time": ..., "kind": "accepted", ...}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Traffic {
    /// Unix milliseconds when the journal received it.
    pub time: i64,
    #[serde(flatten)]
    pub event: Emitted,
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
    traffic: broadcast::Sender<Traffic>,
    totals: [AtomicU64; 6],
    hours: Mutex<[(i64, Counters); HOURS]>,
}

/// The journal of this process.
pub fn journal() -> &'static Journal {
    static JOURNAL: OnceLock<Journal> = OnceLock::new();
    JOURNAL.get_or_init(Journal::new)
}

/// Makes [`journal`] the sink of every [`event::emit`] in this process (the first sink
/// installed stays; calling this again is harmless).
pub fn install() {
    event::install(|event| journal().observe(event, unix_ms()));
}

/// The tracing layer that feeds [`journal`]'s live log; add it to the subscriber.
pub fn layer() -> JournalLayer {
    install();
    JournalLayer { journal: journal() }
}

impl Journal {
    fn new() -> Journal {
        Journal {
            seq: AtomicU64::new(0),
            ring: Mutex::new(VecDeque::with_capacity(RING)),
            events: broadcast::channel(256).0,
            traffic: broadcast::channel(256).0,
            totals: Default::default(),
            hours: Mutex::new([(0, Counters::default()); HOURS]),
        }
    }

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

    /// Every typed event from now on; a subscriber that falls behind skips ahead (lags).
    pub fn subscribe_traffic(&self) -> broadcast::Receiver<Traffic> {
        self.traffic.subscribe()
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

    /// Counts `event` (at `now`, Unix milliseconds) and passes it to the live stream.
    fn observe(&self, event: &Emitted, now: i64) {
        if let Some(counter) = counter(event) {
            self.count(counter, now.div_euclid(1000));
        }
        // Nobody listening is fine.
        let _ = self.traffic.send(Traffic {
            time: now,
            event: event.clone(),
        });
    }

    fn record(&self, mut entry: LogEntry) {
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

/// Which counter an event moves. A login refused by the lockout is not a failed password
/// check (the password was not looked at), and collected mail is not SMTP traffic.
fn counter(event: &Emitted) -> Option<Counter> {
    match event {
        Emitted::Accepted { .. } => Some(Counter::Received),
        Emitted::Rejected { .. } => Some(Counter::Rejected),
        Emitted::LoginFailed { .. } => Some(Counter::AuthFailures),
        Emitted::Delivered { .. } => Some(Counter::Delivered),
        Emitted::Deferred { .. } => Some(Counter::Deferred),
        Emitted::Bounced { .. } => Some(Counter::Bounced),
        _ => None,
    }
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// See [`layer`].
pub struct JournalLayer {
    journal: &'static Journal,
}

impl<S: Subscriber> Layer<S> for JournalLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        // DEBUG and TRACE are for a developer's terminal, not the control panel.
        if *meta.level() > Level::INFO {
            return;
        }
        let mut visitor = Fields::default();
        event.record(&mut visitor);
        self.journal.record(LogEntry {
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
    use event::{Protocol, Rejection};
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// What one SMTP delivery emits, in order: a refused recipient, a failed AUTH, the
    /// accepted message, then the queue's delivery of its outside recipient.
    fn smtp_delivery() -> [Emitted; 4] {
        [
            Emitted::Rejected {
                reason: Rejection::UnknownRecipient,
            },
            Emitted::LoginFailed {
                protocol: Protocol::Smtp,
            },
            Emitted::Accepted {
                size: 5120,
                recipients: 2,
                authenticated: false,
            },
            Emitted::Delivered { queue_id: 7 },
        ]
    }

    /// Runs `smtp_delivery` into a fresh journal through a real tracing subscriber with the
    /// journal's layer: each event beside its log line, written as `lines` says.
    fn journal_after(lines: [&str; 4]) -> &'static Journal {
        let journal: &'static Journal = Box::leak(Box::new(Journal::new()));
        let subscriber = tracing_subscriber::registry().with(JournalLayer { journal });
        tracing::subscriber::with_default(subscriber, || {
            for (event, line) in smtp_delivery().iter().zip(lines) {
                tracing::info!(outcome = "delivered", "{line}");
                journal.observe(event, 1_000_000 * 3_600_000);
            }
        });
        journal
    }

    #[test]
    fn reworded_log_lines_leave_the_counters_unchanged() {
        // The texts the old journal matched on, then the same lines reworded.
        let before = journal_after([
            "unknown recipient",
            "authentication failed",
            "message accepted",
            "delivery recorded",
        ]);
        let after = journal_after([
            "no such mailbox",
            "wrong password",
            "message stored",
            "outbound recipient done",
        ]);
        let expected = Counters {
            received: 1,
            rejected: 1,
            auth_failures: 1,
            delivered: 1,
            deferred: 0,
            bounced: 0,
        };
        assert_eq!(before.totals(), expected);
        assert_eq!(after.totals(), expected);
        assert_eq!(
            before.history_at(1_000_000 * 3600),
            after.history_at(1_000_000 * 3600)
        );
        // The live log still shows the lines as written.
        let shown: Vec<String> = after.recent(0, 10).into_iter().map(|e| e.message).collect();
        assert_eq!(
            shown,
            [
                "no such mailbox",
                "wrong password",
                "message stored",
                "outbound recipient done"
            ]
        );
    }

    #[test]
    fn each_event_moves_its_counter_and_reaches_the_live_stream() {
        let journal = Journal::new();
        let mut stream = journal.subscribe_traffic();
        let events = [
            Emitted::Accepted {
                size: 1,
                recipients: 1,
                authenticated: true,
            },
            Emitted::Rejected {
                reason: Rejection::BareLineEnding,
            },
            Emitted::Rejected {
                reason: Rejection::HeaderSender,
            },
            Emitted::LoginFailed {
                protocol: Protocol::Imap,
            },
            Emitted::LoginFailed {
                protocol: Protocol::Pop3,
            },
            // Refused before the password check: not a failed login.
            Emitted::LoginLocked {
                protocol: Protocol::Pop3,
            },
            Emitted::Delivered { queue_id: 1 },
            Emitted::Deferred { queue_id: 2 },
            Emitted::Deferred { queue_id: 2 },
            Emitted::Bounced { queue_id: 3 },
            Emitted::Collected { messages: 4 },
        ];
        for event in &events {
            journal.observe(event, 5_000);
        }
        assert_eq!(
            journal.totals(),
            Counters {
                received: 1,
                rejected: 2,
                auth_failures: 2,
                delivered: 1,
                deferred: 2,
                bounced: 1,
            }
        );
        for event in events {
            let traffic = stream.try_recv().expect("streamed");
            assert_eq!(traffic, Traffic { time: 5_000, event });
        }
    }

    #[test]
    fn history_has_24_hours_and_forgets_old_slots() {
        let journal = Journal::new();
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
