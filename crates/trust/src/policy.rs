//! What sender authentication decides: the author domain's DMARC policy (RFC 7489 §6.6.4)
//! and the anti-spoofing rule for our own domains. Both only ever refuse on a definite
//! failure: a DNS failure or a signature too large to verify never refuses mail.

use mail_auth::{DkimResult, DmarcResult, SpfResult, dmarc::Policy};

use crate::auth::{Findings, within};
use crate::{Force, Reason, Refusal, Trust};

/// The DMARC finding: `p=reject` refuses (550 5.7.1), `p=quarantine` sends to Junk,
/// `p=none` only adds to the score.
pub(crate) fn dmarc_policy(found: &Findings<'_>) -> Vec<Reason> {
    let Some(dmarc) = found.dmarc else {
        return Vec::new();
    };
    let domain = dmarc.domain();
    if domain.is_empty() {
        // No From: domain, or several (RFC 7489 §6.6.1: exempt from DMARC).
        return Vec::new();
    }
    let reason = match dmarc.result() {
        DmarcResult::Pass => Reason::new("DMARC_PASS", -0.1, format!("DMARC of {domain}")),
        DmarcResult::None => return Vec::new(),
        DmarcResult::TempError(e) => {
            Reason::new("DMARC_TEMPERROR", 0.0, format!("DMARC of {domain}: {e}"))
        }
        DmarcResult::PermError(e) => {
            Reason::new("DMARC_PERMERROR", 0.0, format!("DMARC of {domain}: {e}"))
        }
        DmarcResult::Fail(_) if !found.dkim_verified && !found.parsed.dkim_headers.is_empty() => {
            // A signature we could not check may be the aligned one: not enforced.
            Reason::new(
                "DMARC_UNVERIFIED",
                0.0,
                format!("DMARC of {domain} fails, but the message is too large to verify DKIM"),
            )
        }
        DmarcResult::Fail(_) => {
            let failed = format!(
                "{domain}'s DMARC policy is {}: the message passes neither aligned SPF nor aligned DKIM",
                policy_name(dmarc.policy())
            );
            match dmarc.policy() {
                Policy::Reject if arc_passes(found) => Reason::new(
                    "DMARC_REJECT_ARC",
                    0.0,
                    format!("{failed}; a valid ARC chain says it was forwarded: Junk instead"),
                )
                // RFC 7489 §6.7 / RFC 8617 §7.2: a receiver may override the policy for
                // forwarded mail whose ARC chain validates (recorded as such).
                .forcing(Force::Junk),
                Policy::Reject => Reason::new("DMARC_REJECT", 0.0, failed.clone()).forcing(
                    Force::Refuse(Refusal {
                        code: 550,
                        status: "5.7.1",
                        text: format!("Message refused: {failed} (RFC 7489)"),
                    }),
                ),
                Policy::Quarantine => {
                    Reason::new("DMARC_QUARANTINE", 0.0, failed).forcing(Force::Junk)
                }
                Policy::None | Policy::Unspecified => Reason::new("DMARC_FAIL", 1.0, failed),
            }
        }
    };
    vec![reason]
}

fn policy_name(policy: Policy) -> &'static str {
    match policy {
        Policy::Reject => "reject",
        Policy::Quarantine => "quarantine",
        Policy::None | Policy::Unspecified => "none",
    }
}

fn arc_passes(found: &Findings<'_>) -> bool {
    found
        .arc
        .is_some_and(|arc| matches!(arc.result(), DkimResult::Pass))
}

impl Trust {
    /// The anti-spoofing rule: a message from outside (no AUTH, not `[relay] networks`)
    /// whose From: is in one of our own domains is refused unless SPF passes for a MAIL
    /// FROM in that domain or a valid DKIM signature of that domain is on it (the fake
    /// "boss" mail to accounting). When DNS failed for either, it is not refused.
    pub(crate) async fn spoofing(&self, found: &Findings<'_>) -> Vec<Reason> {
        for from in &found.parsed.from {
            let Some((_, domain)) = from.rsplit_once('@') else {
                continue;
            };
            let Some(ours) = self.own_domain(domain).await else {
                continue;
            };
            let spf = found
                .spf
                .and_then(|s| s.output.as_ref().map(|o| (o.result(), s)));
            let spf_ok = spf.is_some_and(|(result, check)| {
                result == SpfResult::Pass
                    && check
                        .mail_from
                        .rsplit_once('@')
                        .is_some_and(|(_, d)| within(d, &ours))
            });
            let dkim_ok = found.dkim.iter().any(|d| {
                matches!(d.result(), DkimResult::Pass)
                    && d.signature().is_some_and(|s| within(&s.d, &ours))
            });
            if spf_ok || dkim_ok {
                continue;
            }
            let unsure = matches!(spf, Some((SpfResult::TempError, _)))
                || found
                    .dkim
                    .iter()
                    .any(|d| matches!(d.result(), DkimResult::TempError(_)));
            if unsure {
                return vec![Reason::new(
                    "SPOOF_UNVERIFIED",
                    0.0,
                    format!("From: {from} is our domain {ours}; DNS failed, so it was not refused"),
                )];
            }
            let text = format!(
                "Message refused: the From: address {from} is in our own domain {ours}, but the \
                 message does not come from us (neither SPF nor DKIM passes for {ours}); our \
                 users send through their account with authentication"
            );
            return vec![
                Reason::new("SPOOFED_OWN_DOMAIN", 0.0, text.clone()).forcing(Force::Refuse(
                    Refusal {
                        code: 550,
                        status: "5.7.1",
                        text,
                    },
                )),
            ];
        }
        Vec::new()
    }

    /// The local domain `domain` is, or is below; `None` for others (or when the store
    /// cannot say: never a refusal from a database error).
    async fn own_domain(&self, domain: &str) -> Option<String> {
        let mut name = domain.trim_end_matches('.').to_ascii_lowercase();
        loop {
            match self.store.is_local_domain(&name).await {
                Ok(true) => return Some(name),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "local domain lookup failed; spoofing rule skipped");
                    return None;
                }
            }
            let (_, parent) = name.split_once('.')?;
            if !parent.contains('.') {
                // Stop above registrable names: a TLD is never one of ours.
                return None;
            }
            name = parent.to_string();
        }
    }
}
