//! ETRN (RFC 1985): a client asks us to start delivering the mail we hold for its domain
//! now, e.g. an office server that was offline. Only on the MX listener, after EHLO/HELO,
//! outside a transaction; only from the clients `[relay] etrn` allows (by default those in
//! `[relay] networks`), and once a minute per node.
//!
//! Replies (§5.1): 250 for every allowed request, whether or not mail is waiting: 251, 252
//! and 253 would tell anyone which domains have mail here and how much; 458 unable to queue
//! (also when the node was asked for less than a minute ago); 459 node not allowed; 501 for a
//! malformed node.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use proto::smtp::Reply;

use crate::session::{End, Session, sanitize};

impl Session {
    pub(crate) async fn handle_etrn(&mut self, node: String) -> Result<(), End> {
        // Port, HELO and no transaction: checked by the table in `state.rs`.
        // §3: "#name" names a queue rather than a domain; we keep one queue.
        if node.starts_with('#') {
            self.reply(Reply::new(459, "4.7.1", "Queue names are not supported"));
            return Ok(());
        }
        // §3: "@domain" means the domain and its sub-domains.
        let (domain, subdomains) = match node.strip_prefix('@') {
            Some(rest) => (rest, true),
            None => (node.as_str(), false),
        };
        let domain = domain.trim_end_matches('.');
        let valid = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !valid {
            return self
                .error(Reply::new(
                    501,
                    "5.5.4",
                    "Syntax: ETRN domain or ETRN @domain",
                ))
                .await;
        }
        let shown = sanitize(&node);
        let domain = domain.to_ascii_lowercase();
        // §5.1 459: a stranger learns nothing and starts nothing (each flush scans the queue
        // and commits).
        if !self.ctx.config.relay.etrn_allowed(self.peer.ip(), &domain) {
            tracing::info!(session = %self.id, peer = %self.peer, node = %shown, "ETRN not allowed");
            self.reply(Reply::new(
                459,
                "4.7.1",
                format!("Node {shown} not allowed"),
            ));
            return Ok(());
        }
        let reply = if !flush_due(&format!("{}{domain}", if subdomains { "@" } else { "" })) {
            Reply::new(
                458,
                "4.7.0",
                format!(
                    "Unable to queue messages for node {shown}: asked less than a minute ago, try again later"
                ),
            )
        } else {
            match self.ctx.store.queue_flush_domain(&domain, subdomains).await {
                Err(e) => {
                    tracing::warn!(error = %e, node = %shown, "ETRN failed");
                    Reply::new(
                        458,
                        "4.3.0",
                        format!("Unable to queue messages for node {shown}"),
                    )
                }
                // One answer whether or not mail is waiting (see the module doc).
                Ok(_) => Reply::new(
                    250,
                    "2.0.0",
                    format!("OK, queuing for node {shown} started"),
                ),
            }
        };
        tracing::info!(node = %shown, code = reply.code, "ETRN");
        self.reply(reply);
        Ok(())
    }
}

/// One flush per node a minute, across all sessions (and reloads).
const FLUSH_INTERVAL: Duration = Duration::from_secs(60);

/// Most nodes remembered; past it (after forgetting expired ones), requests wait.
const MAX_NODES: usize = 4096;

static LAST_FLUSH: LazyLock<Mutex<HashMap<String, Instant>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Whether `node` may be flushed now; if so, remembers that it was.
fn flush_due(node: &str) -> bool {
    let mut last = LAST_FLUSH
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    if last
        .get(node)
        .is_some_and(|at| now.duration_since(*at) < FLUSH_INTERVAL)
    {
        return false;
    }
    if last.len() >= MAX_NODES {
        last.retain(|_, at| now.duration_since(*at) < FLUSH_INTERVAL);
        if last.len() >= MAX_NODES {
            return false;
        }
    }
    last.insert(node.to_string(), now);
    true
}
