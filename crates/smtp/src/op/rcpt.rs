//! RCPT TO (RFC 5321 §4.1.1.3): relay policy, recipient resolution, NOTIFY and ORCPT
//! (RFC 3461 §4.1-4.2).

use event::Rejection;
use proto::smtp::{Notify, Path, RcptParams, Reply};
use store::{RemoteRecipient, Resolution};

use crate::session::{End, Session, sanitize};

impl Session {
    pub(crate) async fn handle_rcpt(&mut self, to: Path, params: RcptParams) -> Result<(), End> {
        let Some(tx) = self.tx.as_ref() else {
            return self
                .error(Reply::new(503, "5.5.1", "Need MAIL command first"))
                .await;
        };
        let Path::Mailbox(address) = to else {
            return self
                .error(Reply::new(501, "5.1.3", "Null recipient is not allowed"))
                .await;
        };
        if tx.rcpt_count >= self.ctx.config.limits.max_recipients {
            // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the rest later.
            self.reply(Reply::new(452, "4.5.3", "Too many recipients"));
            return Ok(());
        }
        if tx.chunks.is_some() {
            return self
                .error(Reply::new(503, "5.5.1", "RCPT not allowed after BDAT"))
                .await;
        }
        if params != RcptParams::default() && !self.esmtp {
            return self
                .error(Reply::new(555, "5.5.4", "RCPT parameters need EHLO"))
                .await;
        }
        if !address.is_ascii() && !tx.params.smtputf8 {
            return self
                .error(Reply::new(
                    553,
                    "5.6.7",
                    "Non-ASCII recipient address requires SMTPUTF8",
                ))
                .await;
        }
        // §4.5.1: "Postmaster" without a domain is always accepted, for our own host name.
        let address = if address.eq_ignore_ascii_case("postmaster") {
            format!("postmaster@{}", self.hostname())
        } else {
            address
        };
        let resolution = match self.ctx.store.resolve(&address).await {
            Ok(r) => r,
            Err(e) => return self.lookup_failed("recipient", e),
        };
        let notify = params.notify.map(notify_text);
        let declared_size = tx.params.size.unwrap_or(0);
        let (accounts, remote) = match resolution {
            Resolution::Deliver { accounts, remote } => {
                // RFC 3463 §3.3 X.2.2 "mailbox full": temporary, the sender retries later. An
                // alias or list with one full member is deferred whole: no copy is lost.
                match self
                    .ctx
                    .store
                    .accepts_delivery(accounts.clone(), declared_size)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::info!(session = %self.id, rcpt = %sanitize(&address), "mailbox over quota");
                        event::rejected(Rejection::OverQuota);
                        self.reply(Reply::new(452, "4.2.2", "Mailbox full, try again later"));
                        return Ok(());
                    }
                    Err(e) => return self.lookup_failed("quota", e),
                }
                (accounts, remote)
            }
            // Relaying: after AUTH, or from a network trusted in `[relay] networks` (empty
            // by default: never an open relay).
            Resolution::NotLocal if self.auth.is_some() || self.trusted_relay() => {
                (Vec::new(), vec![address.clone()])
            }
            Resolution::NotLocal => {
                tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&address), "relay denied");
                event::rejected(Rejection::RelayDenied);
                return self
                    .error(Reply::new(554, "5.7.1", "Relay access denied"))
                    .await;
            }
            Resolution::Unknown if store::srs::is_srs(&address) => {
                // A bounce to an SRS address we did not make, or made too long ago: we relay
                // only bounces of mail we forwarded (store/src/srs.rs).
                tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&address), "invalid SRS address");
                event::rejected(Rejection::InvalidSrs);
                return self
                    .error(Reply::new(
                        550,
                        "5.1.1",
                        "Mailbox unavailable: invalid or expired SRS address",
                    ))
                    .await;
            }
            Resolution::Unknown => {
                tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&address), "unknown recipient");
                event::rejected(Rejection::UnknownRecipient);
                // Rejected in the dialogue, so we never bounce to a forged sender.
                return self
                    .error(Reply::new(
                        550,
                        "5.1.1",
                        "Mailbox unavailable: no such user here",
                    ))
                    .await;
            }
        };
        let origin = self.origin();
        let Some(tx) = self.tx.as_mut() else {
            return Ok(());
        };
        tx.rcpt_count += 1;
        if tx.first_rcpt.is_none() {
            tx.first_rcpt = Some(address.clone());
        }
        if !remote.is_empty()
            && tx.srs_domain.is_none()
            && origin == store::Origin::Inbound
            && let Some((_, domain)) = address.rsplit_once('@')
        {
            tx.srs_domain = Some(domain.to_ascii_lowercase());
        }
        for account in accounts {
            if !tx.accounts.contains(&account) {
                tx.accounts.push(account);
            }
        }
        // RFC 3461 §4.2: the original recipient is this RCPT's address unless the client
        // said otherwise; forwards keep it so a later DSN names what the sender wrote.
        let orcpt = params
            .orcpt
            .clone()
            .or_else(|| Some(format!("rfc822;{address}")));
        for target in remote {
            if !tx
                .remote
                .iter()
                .any(|r| r.address.eq_ignore_ascii_case(&target))
            {
                tx.remote.push(RemoteRecipient {
                    address: target,
                    notify: notify.clone(),
                    orcpt: orcpt.clone(),
                });
            }
        }
        self.reply(Reply::new(250, "2.1.5", "Recipient OK"));
        Ok(())
    }
}

impl Session {
    /// A failed store read during RCPT: 451 4.3.0, the details to the log only.
    fn lookup_failed(&mut self, what: &str, e: store::StoreError) -> Result<(), End> {
        tracing::error!(session = %self.id, error = %e, what, "lookup failed");
        self.reply(Reply::new(
            451,
            "4.3.0",
            "Temporary lookup failure, try again later",
        ));
        Ok(())
    }

    /// Whether the client's address is in `[relay] networks`.
    pub(crate) fn trusted_relay(&self) -> bool {
        let ip = self.peer.ip();
        self.ctx
            .config
            .relay
            .networks
            .iter()
            .any(|net| net.contains(ip))
    }
}

fn notify_text(n: Notify) -> String {
    if n.never {
        return "NEVER".to_string();
    }
    let mut parts = Vec::new();
    if n.success {
        parts.push("SUCCESS");
    }
    if n.failure {
        parts.push("FAILURE");
    }
    if n.delay {
        parts.push("DELAY");
    }
    parts.join(",")
}
