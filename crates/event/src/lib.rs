//! Typed operational events: what the sessions and the queue did, as data, for whoever counts
//! or shows it (the engine's journal: the dashboard's counters and 24-hour history, the live
//! event stream). Log lines stay for people to read; nothing parses them.
//!
//! This crate knows no other crate of the workspace and has no dependency but serde, so the
//! protocol crates (`smtp`, `imap`, `pop3`), `queue` and `connect` can all depend on it
//! without depending on `engine` or on each other (ARCHITECTURE.md, invariant 2).
//!
//! Emitting is a plain function call next to the work: [`emit`] hands the event to the one
//! [`Sink`] the process installed (the engine's journal) and to [`Capture`]s on the calling
//! thread (tests). Without a sink an event costs a thread-local check.
//!
//! # Layout
//! - [`Event`] and its reason enums: what can happen.
//! - [`emit`], [`install`], [`Sink`]: the path from the work to the journal; [`accepted`],
//!   [`rejected`], [`login_failed`], [`login_locked`]: one-line emits for the sessions.
//! - [`Capture`]: the events emitted on this thread, for tests.

use std::cell::RefCell;
use std::sync::OnceLock;

use serde::Serialize;

/// Something the server did that a dashboard counts or a live view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// SMTP: a message is durably stored and `250` is on its way (RFC 5321 §4.1.1.4).
    Accepted {
        /// Bytes as received (with our Received header).
        size: u64,
        /// Local mailboxes plus outside recipients queued.
        recipients: u32,
        /// Sent after a successful AUTH (submission), not from an outside server.
        authenticated: bool,
    },
    /// SMTP: a recipient or a whole message refused in the dialogue.
    Rejected { reason: Rejection },
    /// A password login failed (wrong user name or password).
    LoginFailed { protocol: Protocol },
    /// A login refused without looking at the password: too many failures (net::Lockout).
    LoginLocked { protocol: Protocol },
    /// The queue: one outbound recipient delivered.
    Delivered { queue_id: i64 },
    /// The queue: an attempt for one outbound recipient failed for now; it is retried later.
    Deferred { queue_id: i64 },
    /// The queue: one outbound recipient failed for good; a DSN goes to the sender.
    Bounced { queue_id: i64 },
    /// `[[collect]]`: messages fetched from an outside mailbox and stored in one run.
    Collected { messages: u64 },
}

/// Why SMTP refused a recipient or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rejection {
    /// RCPT TO a local domain's address that nobody has (550 5.1.1).
    UnknownRecipient,
    /// RCPT TO an outside domain without AUTH or a trusted network (554 5.7.1).
    RelayDenied,
    /// RCPT TO an SRS address we did not make, or made too long ago (550 5.1.1).
    InvalidSrs,
    /// RCPT TO a full mailbox (452 4.2.2: the sender retries).
    OverQuota,
    /// The message is larger than `[limits] max_message_size` (552 5.3.4).
    TooBig,
    /// A bare CR in the data: refused whole against SMTP smuggling (550 5.6.0); bare LFs are
    /// stored as CRLF.
    BareLineEnding,
    /// Too many Received headers: a mail loop (554 5.4.6).
    MailLoop,
    /// After AUTH, a From:/Sender: address that is not the user's own (RFC 6409 §8.1).
    HeaderSender,
    /// Refused by the inbound checks (`[filter]`): DMARC reject, a spoof of our own domain,
    /// a spam score at or above `reject_score`, a virus.
    Filtered,
}

/// The protocol a login came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Protocol {
    Smtp,
    Imap,
    Pop3,
}

/// Where events go: called on the emitting thread, inside the session's task, so it must be
/// quick (count, copy into a ring, send on a channel) and must not block.
pub type Sink = fn(&Event);

static SINK: OnceLock<Sink> = OnceLock::new();

thread_local! {
    static CAPTURED: RefCell<Option<Vec<Event>>> = const { RefCell::new(None) };
}

/// Installs the process's sink; the first one stays (one journal per process). Returns
/// whether this call installed it.
pub fn install(sink: Sink) -> bool {
    SINK.set(sink).is_ok()
}

/// Reports `event` to the sink and to a [`Capture`] on this thread, if any.
pub fn emit(event: Event) {
    if let Some(sink) = SINK.get() {
        sink(&event);
    }
    CAPTURED.with(|c| {
        if let Some(events) = c.borrow_mut().as_mut() {
            events.push(event);
        }
    });
}

/// Emits [`Event::Accepted`]: one line beside the session's log line.
pub fn accepted(size: u64, recipients: usize, authenticated: bool) {
    emit(Event::Accepted {
        size,
        recipients: u32::try_from(recipients).unwrap_or(u32::MAX),
        authenticated,
    });
}

/// Emits [`Event::Rejected`].
pub fn rejected(reason: Rejection) {
    emit(Event::Rejected { reason });
}

/// Emits [`Event::LoginFailed`].
pub fn login_failed(protocol: Protocol) {
    emit(Event::LoginFailed { protocol });
}

/// Emits [`Event::LoginLocked`].
pub fn login_locked(protocol: Protocol) {
    emit(Event::LoginLocked { protocol });
}

/// Collects the events emitted on this thread while it lives (a test with tokio's
/// current-thread runtime sees everything its sessions emit). Captures do not nest.
pub struct Capture(());

impl Capture {
    /// Starts collecting on this thread.
    pub fn start() -> Capture {
        CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
        Capture(())
    }

    /// The events so far, oldest first; collection goes on.
    pub fn take(&self) -> Vec<Event> {
        CAPTURED.with(|c| {
            c.borrow_mut()
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default()
        })
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CAPTURED.with(|c| *c.borrow_mut() = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_sees_what_this_thread_emits_and_nothing_after_it_ends() {
        let capture = Capture::start();
        emit(Event::LoginFailed {
            protocol: Protocol::Pop3,
        });
        std::thread::spawn(|| emit(Event::Collected { messages: 1 }))
            .join()
            .expect("thread");
        assert_eq!(
            capture.take(),
            [Event::LoginFailed {
                protocol: Protocol::Pop3
            }]
        );
        drop(capture);
        emit(Event::Delivered { queue_id: 1 });
        assert!(Capture::start().take().is_empty());
    }

    #[test]
    fn events_serialize_with_their_kind_and_snake_case_reasons() {
        let json = serde_json::to_value(Event::Rejected {
            reason: Rejection::BareLineEnding,
        })
        .expect("json");
        assert_eq!(
            json,
            serde_json::json!({"kind": "rejected", "reason": "bare_line_ending"})
        );
        let json = serde_json::to_value(Event::Accepted {
            size: 5,
            recipients: 2,
            authenticated: true,
        })
        .expect("json");
        assert_eq!(
            json,
            serde_json::json!({"kind": "accepted", "size": 5, "recipients": 2, "authenticated": true})
        );
    }
}
