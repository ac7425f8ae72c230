//! End-of-DATA policy: the checks on a finished message before it is stored (DESIGN.md §3,
//! the body stage), and how it entered, which decides DKIM signing and SRS in the queue.
//! Kept apart from the reading of DATA/BDAT bytes (`op/data.rs`), which calls it.

use event::Rejection;
use proto::smtp::{Path, Reply, header};
use store::{Origin, StoreError};

use crate::session::{Session, Transaction, sanitize};

impl Session {
    /// How this session's mail entered: after AUTH, from `[relay] networks`, or from the
    /// Internet.
    /// Mail from the Internet: the `[filter]` checks apply (not after AUTH, not from
    /// `[relay] networks`, and not from the office's own network: a client at a loopback,
    /// private or link-local address, such as a scan-to-mail copier, unless `[filter]
    /// check_local_clients` says the server only sees such addresses, as behind a proxy).
    pub(crate) fn inbound(&self) -> bool {
        matches!(self.origin(), Origin::Inbound)
            && (self.ctx.config.filter.check_local_clients || !trust::is_local(self.peer.ip()))
    }

    /// The client as the checks see it.
    pub(crate) fn trust_client(&self) -> trust::Client {
        trust::Client {
            ip: self.peer.ip(),
            helo: self.state.greeting().map(|g| g.helo.clone()),
        }
    }

    /// Our host name and the addresses we listen on for port 25, for the HELO check.
    pub(crate) fn ours(&self) -> trust::Ours {
        let config = &self.ctx.config;
        trust::Ours {
            hostname: config.hostname.clone(),
            addresses: (config.listen.smtp.iter())
                .map(|a| a.ip())
                .filter(|ip| !ip.is_unspecified())
                .collect(),
        }
    }

    /// The `[filter]` checks of a finished message from the Internet (`trust`), from its
    /// first bytes `head` (the whole message when it is short) and its length.
    pub(crate) async fn evaluate(
        &mut self,
        tx: &Transaction,
        head: &[u8],
        len: u64,
    ) -> trust::Verdict {
        let filter = &self.ctx.config.filter;
        let scanned = head
            .len()
            .min(usize::try_from(filter.max_scan_size).unwrap_or(usize::MAX));
        let client = self.trust_client();
        let mail_from = match &tx.from {
            Path::Mailbox(addr) => addr.as_str(),
            Path::Null => "",
        };
        let message = trust::Message {
            client: &client,
            mail_from,
            accounts: &tx.accounts,
            bytes: &head[..scanned],
            truncated: (scanned as u64) < len,
            hostname: &self.ctx.config.hostname,
        };
        let verdict = self
            .ctx
            .trust
            .evaluate(filter, &message, self.peer_check.as_mut(), tx.spf.as_ref())
            .await;
        tracing::info!(session = %self.id, peer = %self.peer, %verdict, "inbound checks");
        verdict
    }

    pub(crate) fn origin(&self) -> Origin {
        if self.auth().is_some() {
            Origin::Submission
        } else if self.trusted_relay() {
            Origin::Relay
        } else {
            Origin::Inbound
        }
    }

    /// Checks the finished message (our Received header included) from its first bytes
    /// `head` (the whole message if it is short) and its length; `Some(reply)` refuses it.
    pub(crate) async fn check_message(&self, head: &[u8], len: u64) -> Option<Reply> {
        let truncated = (head.len() as u64) < len;
        if self.auth().is_some() && truncated && !header::complete(head) {
            // The author check must see every From:/Sender: field; a header section this
            // long is no real message's.
            return Some(Reply::new(552, "5.3.4", "Message header section too large"));
        }
        let fields = header::fields(head);
        // RFC 5321 §6.3: too many Received fields means a loop; refused here so that it
        // never goes round again.
        let hops = fields
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("Received"))
            .count();
        let max_hops = self.ctx.config.limits.max_hops;
        if hops > max_hops {
            tracing::warn!(session = %self.id, peer = %self.peer, hops, "mail loop refused");
            event::rejected(Rejection::MailLoop);
            return Some(Reply::new(
                554,
                "5.4.6",
                format!(
                    "Routing loop detected: too many Received headers ({hops}, at most {max_hops})"
                ),
            ));
        }
        if self.auth().is_some() {
            return self.check_author(&fields).await;
        }
        None
    }

    /// RFC 5322 §3.6.2 / RFC 6409 §8.1: a user may write in From: and Sender: only addresses
    /// that MAIL FROM would accept from them (their own, or an alias that delivers to them),
    /// so a signed message from us never names someone else as its author.
    async fn check_author(&self, fields: &[(String, String)]) -> Option<Reply> {
        for (name, value) in fields {
            if !name.eq_ignore_ascii_case("From") && !name.eq_ignore_ascii_case("Sender") {
                continue;
            }
            let addresses = header::addresses(value);
            if addresses.is_empty() {
                // A display name alone would show as the author with no address to check.
                return Some(Reply::new(
                    550,
                    "5.7.1",
                    format!("The {name}: header has no address; use your own address"),
                ));
            }
            for address in addresses {
                if !self.may_send_as(&address).await {
                    tracing::info!(session = %self.id, header = %name, address = %sanitize(&address), "header sender refused");
                    event::rejected(Rejection::HeaderSender);
                    return Some(Reply::new(
                        550,
                        "5.7.1",
                        format!(
                            "{name}: header address {} is not yours; use your own address or one of your aliases",
                            sanitize(&address)
                        ),
                    ));
                }
            }
        }
        None
    }

    /// The queue rows' envelope sender when it is rewritten: mail from the Internet that an
    /// alias forwards outside leaves with an SRS sender in the alias's domain, so SPF checks
    /// us and bounces come back to us (`store::srs`).
    pub(crate) fn forward_sender(
        &self,
        tx: &Transaction,
        envelope_from: &str,
    ) -> Result<Option<String>, StoreError> {
        match &tx.srs_domain {
            Some(domain)
                if !envelope_from.is_empty()
                    && !tx.remote.is_empty()
                    && self.origin() == Origin::Inbound =>
            {
                Ok(Some(self.ctx.store.srs_forward(envelope_from, domain)?))
            }
            _ => Ok(None),
        }
    }
}
