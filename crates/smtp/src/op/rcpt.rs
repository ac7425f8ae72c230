//! RCPT TO (RFC 5321 §4.1.1.3): the recipient checks as ordered stages, then NOTIFY and
//! ORCPT (RFC 3461 §4.1-4.2) recorded in the transaction.
//!
//! The checks follow [`STAGES`], in order (DESIGN.md §3; maddy orders its checks the same
//! way): each stage accepts the recipient or answers with a reply that refuses it, and the
//! first refusal is the answer. Cheap checks on what the client sent come first, checks that
//! read the store next, and checks that delay a sender last, so a recipient that is refused
//! for good is never delayed first.

use event::Rejection;
use proto::smtp::{Notify, Path, RcptParams, Reply};
use store::{AccountId, RemoteRecipient, Resolution};

use crate::session::{End, Session, sanitize};

/// One RCPT check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The address and its parameters: a null path, parameters without EHLO, a non-ASCII
    /// address without SMTPUTF8 (RFC 6531 §3.2). Refusals are permanent.
    Syntax,
    /// At most `[limits] max_recipients` (RFC 5321 §4.5.3.1.10: `452`, the client sends the
    /// rest in another transaction).
    Limit,
    /// Whether we take mail for the address at all: our domains for anyone, other domains
    /// only after AUTH or from `[relay] networks` (never an open relay).
    Relay,
    /// Whether the address exists here (and, for an SRS address, whether we made it).
    /// Refused in the dialogue, so we never bounce to a forged sender.
    Recipient,
    /// Whether each local mailbox has room (RFC 3463 X.2.2, temporary).
    Quota,
    /// Slot for the sender's SPF result (RFC 7208 §8) applied per recipient domain's policy;
    /// the SPF check itself runs at MAIL. Empty: nothing is checked yet.
    Spf,
    /// Slot for greylisting (a temporary `451 4.7.1` to an unknown sender, client and
    /// recipient triple); last, so recipients refused for good are never greylisted first.
    /// Empty: nothing is checked yet.
    Greylist,
}

/// The order the checks run in. DMARC needs the message's From: and is not a RCPT stage:
/// its place is the end-of-DATA checks (`policy.rs`, `check_message`).
pub(crate) const STAGES: [Stage; 7] = [
    Stage::Syntax,
    Stage::Limit,
    Stage::Relay,
    Stage::Recipient,
    Stage::Quota,
    Stage::Spf,
    Stage::Greylist,
];

/// A stage's answer.
pub(crate) enum Verdict {
    /// Go on to the next stage.
    Accept,
    /// Refuse the recipient with this reply, counted as a client error.
    Refuse(Reply),
    /// Refuse the recipient for now with this reply (`4xx`): not the client's error, so
    /// not counted.
    Defer(Reply),
}

/// The recipient as the stages see it.
pub(crate) struct Rcpt {
    /// The address, `postmaster` completed with our host name (RFC 5321 §4.5.1).
    pub address: String,
    pub params: RcptParams,
    /// Where the address leads; found by [`Stage::Relay`].
    pub resolution: Resolution,
}

impl Session {
    pub(crate) async fn handle_rcpt(&mut self, to: Path, params: RcptParams) -> Result<(), End> {
        let mut rcpt = Rcpt {
            address: match to {
                Path::Mailbox(address) => address,
                Path::Null => String::new(),
            },
            params,
            resolution: Resolution::Unknown,
        };
        for stage in STAGES {
            match self.run_stage(stage, &mut rcpt).await {
                Verdict::Accept => {}
                Verdict::Refuse(reply) => return self.error(reply).await,
                Verdict::Defer(reply) => {
                    self.reply(reply);
                    return Ok(());
                }
            }
        }
        self.add_recipient(rcpt);
        self.reply(Reply::new(250, "2.1.5", "Recipient OK"));
        Ok(())
    }

    async fn run_stage(&self, stage: Stage, rcpt: &mut Rcpt) -> Verdict {
        match stage {
            Stage::Syntax => self.check_syntax(rcpt),
            Stage::Limit => self.check_limit(),
            Stage::Relay => self.check_relay(rcpt).await,
            Stage::Recipient => self.check_recipient(rcpt),
            Stage::Quota => self.check_quota(rcpt).await,
            // Slot (see `Stage`): no check runs here yet.
            Stage::Spf => Verdict::Accept,
            Stage::Greylist => self.check_greylist(rcpt).await,
        }
    }

    /// RFC 6647 §2.1: a temporary refusal for an unknown triplet; only mail from the
    /// Internet is greylisted (never after AUTH or from `[relay] networks`).
    async fn check_greylist(&self, rcpt: &Rcpt) -> Verdict {
        if !self.inbound() {
            return Verdict::Accept;
        }
        let from = match self.tx().map(|tx| &tx.from) {
            Some(Path::Mailbox(addr)) => addr.as_str(),
            _ => "",
        };
        let filter = &self.ctx.config.filter;
        match self
            .ctx
            .trust
            .greylist(filter, self.peer.ip(), from, &rcpt.address)
            .await
        {
            trust::Greylisting::Pass => Verdict::Accept,
            trust::Greylisting::Defer { retry_in_secs } => {
                tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&rcpt.address), "greylisted");
                Verdict::Defer(Reply::new(
                    451,
                    "4.7.1",
                    format!("Greylisted: please try again in {retry_in_secs} seconds"),
                ))
            }
        }
    }

    fn check_syntax(&self, rcpt: &mut Rcpt) -> Verdict {
        if rcpt.address.is_empty() {
            return Verdict::Refuse(Reply::new(501, "5.1.3", "Null recipient is not allowed"));
        }
        if rcpt.params != RcptParams::default() && !self.esmtp() {
            return Verdict::Refuse(Reply::new(555, "5.5.4", "RCPT parameters need EHLO"));
        }
        let smtputf8 = self.tx().is_some_and(|tx| tx.params.smtputf8);
        if !rcpt.address.is_ascii() && !smtputf8 {
            return Verdict::Refuse(Reply::new(
                553,
                "5.6.7",
                "Non-ASCII recipient address requires SMTPUTF8",
            ));
        }
        // §4.5.1: "Postmaster" without a domain is always accepted, for our own host name.
        if rcpt.address.eq_ignore_ascii_case("postmaster") {
            rcpt.address = format!("postmaster@{}", self.hostname());
        }
        Verdict::Accept
    }

    fn check_limit(&self) -> Verdict {
        let count = self.tx().map_or(0, |tx| tx.rcpt_count);
        if count >= self.ctx.config.limits.max_recipients {
            return Verdict::Defer(Reply::new(452, "4.5.3", "Too many recipients"));
        }
        Verdict::Accept
    }

    async fn check_relay(&self, rcpt: &mut Rcpt) -> Verdict {
        rcpt.resolution = match self.ctx.store.resolve(&rcpt.address).await {
            Ok(r) => r,
            Err(e) => return self.lookup_failed("recipient", e),
        };
        // RFC 5321 §4.5.1: postmaster at our host name is ours even when the host name is not
        // one of the mail domains (`RCPT TO:<postmaster>` is completed with it).
        if matches!(rcpt.resolution, Resolution::NotLocal)
            && rcpt
                .address
                .rsplit_once('@')
                .is_some_and(|(local, domain)| {
                    local.eq_ignore_ascii_case("postmaster")
                        && domain.eq_ignore_ascii_case(self.hostname())
                })
        {
            rcpt.resolution = match self.ctx.store.resolve_postmaster().await {
                Ok(r) => r,
                Err(e) => return self.lookup_failed("recipient", e),
            };
        }
        // Relaying: after AUTH, or from a network trusted in `[relay] networks` (empty by
        // default: never an open relay).
        if matches!(rcpt.resolution, Resolution::NotLocal)
            && self.auth().is_none()
            && !self.trusted_relay()
        {
            tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&rcpt.address), "relay denied");
            event::rejected(Rejection::RelayDenied);
            return Verdict::Refuse(Reply::new(554, "5.7.1", "Relay access denied"));
        }
        Verdict::Accept
    }

    fn check_recipient(&self, rcpt: &Rcpt) -> Verdict {
        if !matches!(rcpt.resolution, Resolution::Unknown) {
            return Verdict::Accept;
        }
        if store::srs::is_srs(&rcpt.address) {
            // A bounce to an SRS address we did not make, or made too long ago: we relay
            // only bounces of mail we forwarded (store/src/srs.rs).
            tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&rcpt.address), "invalid SRS address");
            event::rejected(Rejection::InvalidSrs);
            return Verdict::Refuse(Reply::new(
                550,
                "5.1.1",
                "Mailbox unavailable: invalid or expired SRS address",
            ));
        }
        tracing::info!(session = %self.id, peer = %self.peer, rcpt = %sanitize(&rcpt.address), "unknown recipient");
        event::rejected(Rejection::UnknownRecipient);
        Verdict::Refuse(Reply::new(
            550,
            "5.1.1",
            "Mailbox unavailable: no such user here",
        ))
    }

    async fn check_quota(&self, rcpt: &Rcpt) -> Verdict {
        let Resolution::Deliver { accounts, .. } = &rcpt.resolution else {
            return Verdict::Accept;
        };
        let declared_size = self.tx().and_then(|tx| tx.params.size).unwrap_or(0);
        // RFC 3463 §3.3 X.2.2 "mailbox full": temporary, the sender retries later. An alias
        // or list with one full member is deferred whole: no copy is lost.
        match self
            .ctx
            .store
            .accepts_delivery(accounts.clone(), declared_size)
            .await
        {
            Ok(true) => Verdict::Accept,
            Ok(false) => {
                tracing::info!(session = %self.id, rcpt = %sanitize(&rcpt.address), "mailbox over quota");
                event::rejected(Rejection::OverQuota);
                Verdict::Defer(Reply::new(452, "4.2.2", "Mailbox full, try again later"))
            }
            Err(e) => self.lookup_failed("quota", e),
        }
    }

    /// Records an accepted recipient in the transaction.
    fn add_recipient(&mut self, rcpt: Rcpt) {
        let Rcpt {
            address,
            params,
            resolution,
        } = rcpt;
        let (accounts, remote): (Vec<AccountId>, Vec<String>) = match resolution {
            Resolution::Deliver { accounts, remote } => (accounts, remote),
            // Past the relay stage, an outside address is ours to relay.
            Resolution::NotLocal => (Vec::new(), vec![address.clone()]),
            Resolution::Unknown => return,
        };
        let origin = self.origin();
        let Some(tx) = self.state.transaction_mut() else {
            return;
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
        let notify = params.notify.map(notify_text);
        // RFC 3461 §4.2: the original recipient is this RCPT's address unless the client
        // said otherwise; forwards keep it so a later DSN names what the sender wrote.
        let orcpt = params.orcpt.or_else(|| Some(format!("rfc822;{address}")));
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
    }

    /// A failed store read during RCPT: 451 4.3.0, the details to the log only.
    fn lookup_failed(&self, what: &str, e: store::StoreError) -> Verdict {
        tracing::error!(session = %self.id, error = %e, what, "lookup failed");
        Verdict::Defer(Reply::new(
            451,
            "4.3.0",
            "Temporary lookup failure, try again later",
        ))
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

#[cfg(test)]
mod tests {
    use super::{STAGES, Stage};

    fn position(stage: Stage) -> usize {
        STAGES
            .iter()
            .position(|s| *s == stage)
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn rcpt_stages_run_cheap_checks_first_and_delays_last() {
        // What the client sent is checked before the store is asked.
        assert_eq!(STAGES[0], Stage::Syntax);
        assert!(position(Stage::Limit) < position(Stage::Relay));
        // Relay rule, then existence, then room: maddy's order (and an unknown outside
        // address is "relay denied", never "no such user").
        assert!(position(Stage::Relay) < position(Stage::Recipient));
        assert!(position(Stage::Recipient) < position(Stage::Quota));
        // A recipient refused for good is never greylisted first.
        assert!(position(Stage::Quota) < position(Stage::Spf));
        assert_eq!(STAGES[STAGES.len() - 1], Stage::Greylist);
    }
}
