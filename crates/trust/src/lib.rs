//! Inbound trust (issue #16): what Postroom decides about a message from the Internet, and
//! why. Each check gives [`Reason`]s (a rule name, a score, what was seen, and optionally an
//! action it forces); [`Trust::decide`] turns them into one [`Verdict`]: deliver, deliver to
//! Junk, or refuse during the SMTP dialogue (never accept and then bounce: no backscatter).
//!
//! The SMTP session calls the checks where their inputs are known (DESIGN.md §3):
//! - at connection: [`Trust::check_peer`] starts the blocklist and reverse-DNS lookups
//!   (`peer.rs`), which run while the client talks;
//! - at MAIL FROM: [`Trust::check_spf`] (`auth.rs`, RFC 7208);
//! - at RCPT: [`Trust::greylist`] (`greylist.rs`, RFC 6647), the last RCPT stage;
//! - at the end of DATA: [`Trust::evaluate`] gathers the rest: DKIM, ARC and DMARC
//!   (`auth.rs`; the DMARC policy and the anti-spoofing rule in `policy.rs`), the content
//!   filter and the classifier (`content.rs`), the outside scanners (`external.rs`), and
//!   decides.
//!
//! `reverse.rs` names an address under `in-addr.arpa`/`ip6.arpa` and in a blocklist zone (the
//! doctor's blocklist check shares it and `peer::listing`).
//!
//! Sessions that authenticated and clients in `[relay] networks` skip every check. A check
//! whose DNS fails or runs out of time never refuses or defers mail by itself: it is recorded
//! as a reason with no score. All DNS work of one message shares `[filter] dns_budget_ms`.

pub mod auth;
mod bayes;
pub mod content;
pub mod external;
pub mod greylist;
pub mod learn;
mod lists;
pub mod peer;
mod policy;
pub mod reverse;
mod rules;
mod scan;
mod tokens;

use std::fmt;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use hickory_resolver::TokioResolver;
use store::{AccountId, Store};

pub use auth::SpfCheck;
pub use greylist::Greylisting;
pub use peer::{Ours, PeerCheck, is_local};

/// The checks' shared parts: DNS (the `[dns] servers`, or the system's) and the store
/// (greylisting triplets, classifier tokens, allow and block lists).
#[derive(Clone)]
pub struct Trust {
    pub(crate) resolver: TokioResolver,
    pub(crate) store: Store,
}

impl Trust {
    pub fn new(resolver: TokioResolver, store: Store) -> Trust {
        Trust { resolver, store }
    }

    /// With the resolver of `[dns]`: its servers, or the system's. If no resolver can be
    /// set up, one without servers: every lookup fails, which never refuses mail.
    pub fn from_config(dns: &config::Dns, store: Store) -> Trust {
        let resolver = match queue::Dns::new(dns) {
            Ok(dns) => dns.resolver().clone(),
            Err(e) => {
                tracing::error!(error = %e, "inbound checks run without DNS");
                hickory_resolver::Resolver::builder_with_config(
                    hickory_resolver::config::ResolverConfig::from_name_servers(Vec::new()),
                    hickory_resolver::net::runtime::TokioRuntimeProvider::default(),
                )
                .build()
                .expect("a resolver without servers reads no system settings")
            }
        };
        Trust::new(resolver, store)
    }

    /// The end-of-DATA checks of `message`, run at the same time within the DNS budget,
    /// with what was found at connection (`peer`) and MAIL (`spf`), and the decision. The
    /// verdict's headers are the Authentication-Results field and X-Spam-Status.
    pub async fn evaluate(
        &self,
        config: &config::Filter,
        message: &Message<'_>,
        peer: Option<&mut PeerCheck>,
        spf: Option<&SpfCheck>,
    ) -> Verdict {
        let deadline = Instant::now() + Duration::from_millis(config.dns_budget_ms);
        let helo = message.client.helo.as_deref();
        let peer_reasons = async {
            match peer {
                Some(peer) => peer.reasons(helo, deadline).await,
                None => Vec::new(),
            }
        };
        let (peer_reasons, authentication, content, external) = tokio::join!(
            peer_reasons,
            self.authenticate(config, message, spf, deadline),
            self.score_content(config, message),
            self.scan_external(config, message),
        );
        let mut reasons = peer_reasons;
        reasons.extend(spf.map(|s| s.reasons.clone()).unwrap_or_default());
        reasons.extend(authentication.reasons);
        reasons.extend(content);
        reasons.extend(external);
        let mut verdict = Trust::decide(config, reasons);
        verdict.headers.extend(authentication.header);
        verdict.headers.push(verdict.spam_status(config));
        verdict
    }

    /// Turns the reasons into a verdict: a reason that forces a refusal wins (the first
    /// one), then the score against `[filter] reject_score` and `junk_score`, then a reason
    /// that forces Junk.
    pub fn decide(config: &config::Filter, reasons: Vec<Reason>) -> Verdict {
        let score = reasons.iter().fold(0.0_f32, |sum, r| sum + r.score);
        let forced = |wanted: fn(&Force) -> bool| {
            reasons
                .iter()
                .find_map(|r| r.force.as_ref().filter(|f| wanted(f)).cloned())
        };
        let action = if let Some(Force::Refuse(refusal)) =
            forced(|f| matches!(f, Force::Refuse(r) if r.permanent()))
        {
            Action::Refuse(refusal)
        } else if let Some(Force::Refuse(refusal)) = forced(|f| matches!(f, Force::Refuse(_))) {
            Action::Refuse(refusal)
        } else if score >= config.reject_score as f32 {
            Action::Refuse(Refusal {
                code: 550,
                status: "5.7.1",
                text: format!(
                    "Message refused as spam (score {score:.1}, {})",
                    rule_list(&reasons)
                ),
            })
        } else if score >= config.junk_score as f32
            || forced(|f| matches!(f, Force::Junk)).is_some()
        {
            Action::Junk
        } else {
            Action::Deliver
        };
        Verdict {
            score,
            action,
            reasons,
            headers: Vec::new(),
        }
    }
}

/// The client as the checks see it (port 25, not authenticated, not a relay network).
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: IpAddr,
    /// The name given in HELO/EHLO, once given.
    pub helo: Option<String>,
}

/// The finished message with its envelope, at the end of DATA.
pub struct Message<'a> {
    pub client: &'a Client,
    /// MAIL FROM; empty for the null reverse-path.
    pub mail_from: &'a str,
    /// Local accounts the message is for (the classifier and the allow/block lists are per
    /// account).
    pub accounts: &'a [AccountId],
    /// The message as received with our Received header on top; all of it, or its first
    /// `[filter] max_scan_size` bytes when `truncated`.
    pub bytes: &'a [u8],
    pub truncated: bool,
    /// Our host name, for the Authentication-Results header (RFC 8601 §2.5).
    pub hostname: &'a str,
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// A short upper-case rule name, as shown in X-Spam-Status and the panel:
    /// `SPF_FAIL`, `DKIM_VALID`, `DMARC_REJECT`, `DNSBL_ZEN`, `BAYES_95`...
    pub rule: String,
    /// What it adds to the score (negative for good signs).
    pub score: f32,
    /// What was seen, for the log and the panel's timeline.
    pub detail: String,
    /// An action this finding forces whatever the score.
    pub force: Option<Force>,
}

impl Reason {
    pub fn new(rule: impl Into<String>, score: f32, detail: impl Into<String>) -> Reason {
        Reason {
            rule: rule.into(),
            score,
            detail: detail.into(),
            force: None,
        }
    }

    pub fn forcing(mut self, force: Force) -> Reason {
        self.force = Some(force);
        self
    }
}

/// An action forced by one finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Force {
    /// Deliver to the recipients' Junk folder (DMARC `p=quarantine`).
    Junk,
    /// Refuse at SMTP time with this reply (DMARC `p=reject`, a spoof of our own domain, a
    /// virus; or a temporary refusal while a scanner is down).
    Refuse(Refusal),
}

/// An SMTP reply that refuses a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub status: &'static str,
    pub text: String,
}

impl Refusal {
    pub fn permanent(&self) -> bool {
        self.code >= 500
    }
}

/// What happens to the message.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// To the recipients' INBOX (or wherever their rules say).
    Deliver,
    /// To the recipients' Junk folder.
    Junk,
    /// Refused during the dialogue.
    Refuse(Refusal),
}

/// The decision and everything that led to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub score: f32,
    pub action: Action,
    pub reasons: Vec<Reason>,
    /// Header fields to add on top of the message (`Name: value`, no CRLF):
    /// Authentication-Results (RFC 8601), X-Spam-Status.
    pub headers: Vec<String>,
}

impl Verdict {
    /// `X-Spam-Status: Yes, score=7.2 required=5 tests=BAYES_95,DNSBL_ZEN` in SpamAssassin's
    /// shape, which mail clients' filters already know.
    pub fn spam_status(&self, config: &config::Filter) -> String {
        let spam = !matches!(self.action, Action::Deliver);
        format!(
            "X-Spam-Status: {}, score={:.1} required={} tests={}",
            if spam { "Yes" } else { "No" },
            self.score,
            config.junk_score,
            rule_list(&self.reasons)
        )
    }
}

/// `RULE_A,RULE_B` (or `none`), in the order found.
fn rule_list(reasons: &[Reason]) -> String {
    if reasons.is_empty() {
        return "none".to_string();
    }
    reasons
        .iter()
        .map(|r| r.rule.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for Verdict {
    /// For the log: `junk score=7.2 BAYES_95(4.0) DNSBL_ZEN(3.2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match &self.action {
            Action::Deliver => "deliver".to_string(),
            Action::Junk => "junk".to_string(),
            Action::Refuse(r) => format!("refuse {} {}", r.code, r.status),
        };
        write!(f, "{action} score={:.1}", self.score)?;
        for r in &self.reasons {
            write!(f, " {}({:.1})", r.rule, r.score)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
