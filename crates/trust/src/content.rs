//! The content filter: header, body and URL rules (`rules.rs`), the Bayesian classifier per
//! account and per domain (`bayes.rs`, `tokens.rs`; it learns when a user moves a message
//! into or out of Junk: `learn.rs`), and the allow and block lists per user and per domain
//! (`lists.rs`). The message is decoded once (`scan.rs`), on the blocking pool: at most
//! `[filter] max_scan_size` of it, and only its header when it is larger.

use crate::scan::Scan;
use crate::{Message, Reason, Trust, bayes, rules, tokens};

/// At most this many recipients' classifiers are asked about one message.
const MAX_CLASSIFIED_ACCOUNTS: usize = 8;

impl Trust {
    pub async fn score_content(
        &self,
        config: &config::Filter,
        message: &Message<'_>,
    ) -> Vec<Reason> {
        if !config.content {
            return Vec::new();
        }
        let bytes = message.bytes.to_vec();
        let header_only = message.truncated;
        let scanned = tokio::task::spawn_blocking(move || {
            let scan = Scan::parse(&bytes, header_only);
            let tokens = if scan.body {
                tokens::of(&scan)
            } else {
                Vec::new()
            };
            (rules::check(&scan), tokens, scan.from_address)
        })
        .await;
        let Ok((mut reasons, tokens, from)) = scanned else {
            return Vec::new();
        };
        reasons.extend(self.sender_lists(config, message, from).await);
        if config.bayes && !tokens.is_empty() {
            reasons.extend(self.classify(config, message, tokens).await);
        }
        reasons
    }

    /// The classifiers' word: for each recipient (the first few), its own classifier when
    /// it has learned enough, else its domain's; the mean when recipients differ.
    async fn classify(
        &self,
        config: &config::Filter,
        message: &Message<'_>,
        tokens: Vec<String>,
    ) -> Option<Reason> {
        let mut found: Vec<(f64, &'static str)> = Vec::new();
        for &account in message.accounts.iter().take(MAX_CLASSIFIED_ACCOUNTS) {
            let classifiers = match self.store.junk_classifiers(account, tokens.clone()).await {
                Ok(classifiers) => classifiers,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the classifier failed");
                    continue;
                }
            };
            let first = classifiers
                .iter()
                .find_map(|c| bayes::classify(c, config.bayes_min_messages).map(|p| (p, c.kind)));
            found.extend(first);
        }
        let (_, kind) = *found.first()?;
        let mean = found.iter().map(|(p, _)| p).sum::<f64>() / found.len() as f64;
        Some(bayes::reason(mean, kind))
    }
}
