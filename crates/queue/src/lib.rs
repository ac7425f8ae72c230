//! Outbound mail: the delivery queue.
//!
//! Contract: mail leaves only from durable queue rows (`store`), and a row changes state only
//! after its attempt is over: an attempt cut short by a crash is made again at the next start
//! (at least once, never lost). SMTP sessions never call this crate: they add rows, and the
//! store's change broadcast ([`store::Change::QueueAdded`]) wakes the scheduler at once; it
//! also polls every few seconds, so changes made by another process (`postroom queue retry`)
//! are seen too.
//!
//! Recipients of one message going to one destination (a route, or a domain's MX hosts)
//! travel in one SMTP transaction; each destination gets at most
//! `queue.max_connections_per_destination` connections, which carry one message after the
//! other while its lane has work.
//!
//! # Layout
//! - `scheduler.rs`: the loop: claim due rows, group them by message and destination, hand
//!   them to per-destination lanes, wake on changes and timers.
//! - `delivery.rs`: a lane's worker: connect (route or MX), sign, send, and record each
//!   recipient's outcome with the DSNs it causes.
//! - `route.rs`: which destination a recipient's domain has (first matching `[[route]]`, else
//!   MX) and how to connect to it, with failover.
//! - `mx.rs`: MX resolution with hickory-resolver (RFC 5321 §5.1, RFC 7505).
//! - `client.rs`: the SMTP client's connection: greeting, EHLO, STARTTLS, AUTH, timeouts.
//! - `transaction.rs`: MAIL/RCPT/DATA or BDAT for one message, PIPELINING, SIZE, 8BITMIME,
//!   SMTPUTF8, DSN parameters.
//! - `etrn.rs`: asking a backup MX to start its queue for our domains (RFC 1985).
//! - `probe.rs`: checking a route's relays (connect, TLS, AUTH) for the connectivity doctor.
//! - `tls.rs`: verifying and opportunistic rustls client configs.
//! - `retry.rs`: the retry schedule, give-up and delay-notice times.
//! - `dsn.rs`: RFC 3464 delivery status notifications.
//! - `dkim/`: DKIM keys (made at `domain add`; RSA generation in `keygen.rs`) and signing
//!   with ring, only for rows whose origin allows it (`store::Origin::may_sign`).

mod client;
mod delivery;
pub mod dkim;
mod dsn;
pub mod etrn;
mod mx;
pub mod probe;
mod retry;
mod route;
mod scheduler;
mod tls;
mod transaction;

use std::sync::Arc;

pub use mx::{Dns, DnsFailure, Host};

use config::Config;
use store::Store;
use tokio_util::sync::CancellationToken;

/// Why the queue could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// DNS or TLS could not be set up; the text says which and why.
    #[error("outbound queue: {0}")]
    Setup(String),
}

/// A prepared queue; [`Queue::run`] delivers until shutdown.
pub struct Queue {
    shared: Arc<delivery::Shared>,
}

impl Queue {
    /// Sets up DNS and TLS for `config`; fails on a route CA file that cannot be read, or
    /// DNS settings that cannot be loaded.
    pub fn new(
        config: Arc<Config>,
        store: Store,
        shutdown: CancellationToken,
    ) -> Result<Queue, QueueError> {
        Ok(Queue {
            shared: Arc::new(delivery::Shared::new(config, store, shutdown)?),
        })
    }

    /// Runs the scheduler until the shutdown token is cancelled.
    pub async fn run(self) {
        scheduler::run(self.shared).await;
    }
}
