//! Moving in (issue #18): messages read from another system's files (`backup::import`: mbox,
//! Maildir, `.eml`) appended to an account's mailboxes with their flags and dates, each once
//! however often the import runs.

use std::collections::BTreeSet;

use backup::import::{ImportError, Imported};

use super::{ApiError, ApiResult};
use crate::admin::AdminContext;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    /// Messages already in their mailbox (an import run again), not added twice.
    pub present: usize,
    /// The mailboxes written to.
    pub mailboxes: BTreeSet<String>,
}

impl AdminContext {
    /// Appends the `source`'s messages to `address`'s mailbox `mailbox` (and its folders'
    /// messages to sub-mailboxes of it: `Sent` under INBOX is `Sent`, under `Old` it is
    /// `Old/Sent`), making mailboxes as needed. Stops at the first source or store error;
    /// what was imported until then stays (and is skipped when the import runs again).
    pub async fn import_messages(
        &self,
        address: &str,
        mailbox: &str,
        source: impl Iterator<Item = Result<Imported, ImportError>>,
    ) -> ApiResult<ImportReport> {
        let wanted = address.trim().to_ascii_lowercase();
        let account = self
            .store()
            .list_accounts()
            .await?
            .into_iter()
            .find(|a| a.address == wanted)
            .ok_or_else(|| ApiError::not_found(format!("no account {wanted}")))?;
        let mut report = ImportReport::default();
        for item in source {
            let item = item.map_err(|e| ApiError::invalid("path", e.to_string()))?;
            let target = match (mailbox, item.folder.as_str()) {
                (m, "") => m.to_string(),
                (m, folder) if m.eq_ignore_ascii_case("INBOX") => folder.to_string(),
                (m, folder) => format!("{m}/{folder}"),
            };
            if report.mailboxes.insert(target.clone()) {
                self.store()
                    .ensure_mailbox(account.id, &target)
                    .await
                    .map_err(|e| ApiError::from(e).on_field("mailbox"))?;
            }
            if self
                .store()
                .holds(account.id, &target, &item.message)
                .await?
            {
                report.present += 1;
                continue;
            }
            self.store()
                .append(
                    account.id,
                    &target,
                    item.message,
                    item.flags,
                    item.internal_date,
                )
                .await?;
            report.imported += 1;
        }
        Ok(report)
    }
}
