//! Allow and block lists per account and per domain (`store::junk`): entries are sender
//! addresses or domains, matched against the envelope sender and the From: address. An
//! account's own entry wins over its domain's, an address over a domain; an allowed sender
//! takes [`ALLOW_SCORE`] off the score (DMARC and spoofing refusals still apply, since those
//! are forced, not scored); a blocked one goes to Junk, or is refused with
//! `[filter] block_rejects`, during the dialogue, never bounced.

use store::{ListAction, ListEntry};

use crate::{Force, Message, Reason, Refusal, Trust};

/// What an allow-list entry takes off the score: more than any rules and classifier add.
pub const ALLOW_SCORE: f32 = -20.0;

impl Trust {
    /// The allow or block list entry that applies to the message, as a reason.
    pub(crate) async fn sender_lists(
        &self,
        config: &config::Filter,
        message: &Message<'_>,
        from_header: Option<String>,
    ) -> Vec<Reason> {
        let mut senders: Vec<String> = from_header.into_iter().collect();
        if !message.mail_from.is_empty() {
            senders.push(message.mail_from.to_ascii_lowercase());
        }
        let entries = match self
            .store
            .sender_list_matches(message.accounts.to_vec(), senders)
            .await
        {
            Ok(entries) => entries,
            Err(e) => {
                tracing::warn!(error = %e, "reading the allow and block lists failed");
                return Vec::new();
            }
        };
        decide(config, entries).into_iter().collect()
    }
}

/// The most specific entry's reason.
fn decide(config: &config::Filter, mut entries: Vec<ListEntry>) -> Option<Reason> {
    entries.sort_by_key(|e| (e.for_domain, !e.pattern.contains('@')));
    let entry = entries.into_iter().next()?;
    let whose = if entry.for_domain {
        format!("domain {}", entry.owner)
    } else {
        entry.owner.clone()
    };
    Some(match entry.action {
        ListAction::Allow => Reason::new(
            "SENDER_ALLOWED",
            ALLOW_SCORE,
            format!("{} on the allow list of {whose}", entry.pattern),
        ),
        ListAction::Block => {
            let reason = Reason::new(
                "SENDER_BLOCKED",
                0.0,
                format!("{} on the block list of {whose}", entry.pattern),
            );
            if config.block_rejects {
                reason.forcing(Force::Refuse(Refusal {
                    code: 550,
                    status: "5.7.1",
                    text: "The recipient does not accept mail from this sender".to_string(),
                }))
            } else {
                reason.forcing(Force::Junk)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(owner: &str, for_domain: bool, pattern: &str, action: ListAction) -> ListEntry {
        ListEntry {
            owner: owner.to_string(),
            for_domain,
            pattern: pattern.to_string(),
            action,
        }
    }

    #[test]
    fn an_accounts_address_entry_wins_over_its_domains_entry() {
        let config = config::Filter::default();
        let reason = decide(
            &config,
            vec![
                entry("office.test", true, "shop.example", ListAction::Block),
                entry("a@office.test", false, "x@shop.example", ListAction::Allow),
            ],
        );
        assert_eq!(reason.map(|r| r.rule), Some("SENDER_ALLOWED".to_string()));
    }

    #[test]
    fn a_block_goes_to_junk_or_is_refused_by_setting() {
        let mut config = config::Filter::default();
        let blocked = vec![entry(
            "a@office.test",
            false,
            "shop.example",
            ListAction::Block,
        )];
        let junk = decide(&config, blocked.clone()).and_then(|r| r.force);
        assert_eq!(junk, Some(Force::Junk));
        config.block_rejects = true;
        let refused = decide(&config, blocked).and_then(|r| r.force);
        assert!(matches!(refused, Some(Force::Refuse(r)) if r.code == 550));
    }
}
