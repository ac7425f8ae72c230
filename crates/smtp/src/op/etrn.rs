//! ETRN (RFC 1985): a client asks us to start delivering the mail we hold for its domain
//! now, e.g. an office server that was offline. Only on the MX listener, after EHLO/HELO,
//! outside a transaction; only for domains we hold queued mail for. Replies (§5.1):
//! 250 queuing started, 251 no messages waiting, 252 pending messages for `@domain` started,
//! 458 unable to queue, 459 node not allowed; 501 for a malformed node.

use proto::smtp::Reply;

use crate::Kind;
use crate::session::{End, Session, sanitize};

impl Session {
    pub(crate) async fn handle_etrn(&mut self, node: String) -> Result<(), End> {
        let refused = if self.kind != Kind::Mx {
            Some(Reply::new(
                502,
                "5.5.1",
                "ETRN is only available on port 25",
            ))
        } else if self.helo.is_none() {
            Some(Reply::new(503, "5.5.1", "Send EHLO or HELO first"))
        } else if self.tx.is_some() {
            Some(Reply::new(
                503,
                "5.5.1",
                "ETRN is not allowed during a transaction",
            ))
        } else {
            None
        };
        if let Some(reply) = refused {
            return self.error(reply).await;
        }
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
        let reply = match self.ctx.store.queue_flush_domain(domain, subdomains).await {
            Err(e) => {
                tracing::warn!(error = %e, node = %shown, "ETRN failed");
                Reply::new(
                    458,
                    "4.3.0",
                    format!("Unable to queue messages for node {shown}"),
                )
            }
            Ok(None) => Reply::new(
                459,
                "4.7.1",
                format!("Node {shown} not allowed: we hold no mail for it"),
            ),
            Ok(Some(0)) => Reply::new(
                251,
                "2.0.0",
                format!("OK, no messages waiting for node {shown}"),
            ),
            Ok(Some(n)) if subdomains => Reply::new(
                252,
                "2.0.0",
                format!("OK, pending messages for node {shown} started ({n})"),
            ),
            Ok(Some(n)) => Reply::new(
                250,
                "2.0.0",
                format!("OK, queuing for node {shown} started ({n})"),
            ),
        };
        tracing::info!(node = %shown, code = reply.code, "ETRN");
        self.reply(reply);
        Ok(())
    }
}
