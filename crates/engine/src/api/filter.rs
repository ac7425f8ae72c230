//! The content filter's lists and classifiers (issue #16): allow and block lists per account
//! and per domain, and what each Bayesian classifier has learned. The same operations serve
//! `postroom filter ...`, the panel and the desktop app.

use serde::{Deserialize, Serialize};
use store::ListAction;

use super::{ApiError, ApiResult};
use crate::admin::AdminContext;

/// One allow or block list entry; also the body of `POST /api/filter/lists`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SenderListDto {
    /// The account's address, or a local domain's name for all its accounts.
    pub owner: String,
    /// A sender address (`a@shop.example`) or domain (`shop.example`).
    pub pattern: String,
    /// `allow` or `block`.
    pub action: String,
    /// Whether `owner` is a domain (set by the server).
    #[serde(default)]
    pub for_domain: bool,
}

/// What one classifier has learned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClassifierDto {
    /// `account` or `domain`.
    pub kind: String,
    pub owner: String,
    /// Messages learned as spam and as ham.
    pub spam: u32,
    pub ham: u32,
    /// Distinct tokens kept.
    pub tokens: u64,
}

fn action(text: &str) -> ApiResult<ListAction> {
    match text {
        "allow" => Ok(ListAction::Allow),
        "block" => Ok(ListAction::Block),
        _ => Err(ApiError::invalid("action", "the action is allow or block")),
    }
}

impl AdminContext {
    pub async fn sender_lists(&self) -> ApiResult<Vec<SenderListDto>> {
        let entries = self.store().sender_lists().await?;
        Ok(entries
            .into_iter()
            .map(|e| SenderListDto {
                owner: e.owner,
                pattern: e.pattern,
                action: e.action.as_str().to_string(),
                for_domain: e.for_domain,
            })
            .collect())
    }

    pub async fn set_sender_list(&self, entry: SenderListDto) -> ApiResult<()> {
        let action = action(&entry.action)?;
        self.store()
            .set_sender_list(&entry.owner, &entry.pattern, action)
            .await
            .map_err(|e| ApiError::from(e).on_field("pattern"))
    }

    pub async fn remove_sender_list(&self, owner: &str, pattern: &str) -> ApiResult<()> {
        Ok(self.store().remove_sender_list(owner, pattern).await?)
    }

    pub async fn classifiers(&self) -> ApiResult<Vec<ClassifierDto>> {
        let stats = self.store().junk_stats().await?;
        Ok(stats
            .into_iter()
            .map(|s| ClassifierDto {
                kind: s.kind,
                owner: s.owner,
                spam: s.counts.spam,
                ham: s.counts.ham,
                tokens: s.tokens,
            })
            .collect())
    }
}
