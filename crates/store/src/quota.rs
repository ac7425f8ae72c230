//! Storage quotas (RFC 9208's STORAGE resource): an account's limit (`accounts.quota_bytes`,
//! NULL for unlimited) and its usage, the bytes of all its messages.
//!
//! Usage is not summed over `messages` on each read: every mailbox keeps `used_bytes`, which
//! triggers on `messages` maintain in the same transaction as the insert or delete (migration
//! 3), so deliveries, APPEND, COPY/MOVE, EXPUNGE, POP3's QUIT and cascading deletes all count
//! without each path remembering to. An account's usage is then the sum over its handful of
//! mailboxes, found through the `(account_id, name)` index.
//!
//! Writes that add messages on a user's behalf (APPEND, COPY) call [`check`] inside their
//! own write job, so two racing APPENDs cannot both slip under the limit. Delivery is checked
//! earlier, at SMTP RCPT (RFC 3463 4.2.2): a message accepted there is delivered even if it
//! takes the mailbox a little past its limit, since refusing after DATA would bounce it.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{AccountId, Result, Store, StoreError, address};

/// An account's limit and usage, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quota {
    /// The limit; `None` is unlimited.
    pub quota_bytes: Option<u64>,
    /// The sum of the sizes of the account's messages, in all its mailboxes.
    pub used_bytes: u64,
}

impl Quota {
    /// Whether `more` bytes still fit under the limit.
    pub fn allows(&self, more: u64) -> bool {
        self.quota_bytes
            .is_none_or(|limit| self.used_bytes.saturating_add(more) <= limit)
    }

    /// Whether the account has reached its limit (nothing more may be delivered).
    pub fn is_full(&self) -> bool {
        self.quota_bytes
            .is_some_and(|limit| self.used_bytes >= limit)
    }
}

/// A quota from columns `first` (limit) and `first + 1` (usage).
fn quota_at(row: &rusqlite::Row, first: usize) -> rusqlite::Result<Quota> {
    Ok(Quota {
        quota_bytes: row.get::<_, Option<i64>>(first)?.map(|v| v.max(0) as u64),
        used_bytes: row.get::<_, i64>(first + 1)?.max(0) as u64,
    })
}

fn quota_row(row: &rusqlite::Row) -> rusqlite::Result<Quota> {
    quota_at(row, 0)
}

const ACCOUNT_QUOTA: &str = "SELECT a.quota_bytes,
        (SELECT coalesce(sum(used_bytes), 0) FROM mailboxes WHERE account_id = a.id)
     FROM accounts a";

/// The account's quota, read on `conn` (a reader, or the writer inside a job).
pub(crate) fn of_account(conn: &Connection, account: AccountId) -> Result<Quota> {
    conn.prepare_cached(&format!("{ACCOUNT_QUOTA} WHERE a.id = ?1"))?
        .query_row([account], quota_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("account {account}")))
}

/// Inside a write job: fails with [`StoreError::OverQuota`] unless `adding` more bytes fit
/// the account's limit (RFC 9208 §4.3 OVERQUOTA).
pub(crate) fn check(conn: &Connection, account: AccountId, adding: u64) -> Result<()> {
    if of_account(conn, account)?.allows(adding) {
        Ok(())
    } else {
        Err(StoreError::OverQuota(
            "the mailbox is full (storage quota exceeded)".into(),
        ))
    }
}

impl Store {
    /// Sets the account's storage limit in bytes; `None` removes it.
    pub async fn set_quota(&self, address: &str, quota_bytes: Option<u64>) -> Result<()> {
        let address = address::normalize(address);
        let limit = quota_bytes
            .map(i64::try_from)
            .transpose()
            .map_err(|_| StoreError::Invalid("the quota is too large".into()))?;
        let result = self
            .inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached("UPDATE accounts SET quota_bytes = ?1 WHERE address = ?2")?
                    .execute(params![limit, address])?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("unknown account {address}")));
                }
                Ok(())
            })
            .await;
        // The limit is cached with the directory (RCPT's check): every process must look again.
        self.directory_changed(result)
    }

    /// The limit and usage of the account `address`.
    pub async fn quota(&self, address: &str) -> Result<Quota> {
        let address = address::normalize(address);
        self.inner
            .readers
            .read(move |conn| {
                conn.prepare_cached(&format!("{ACCOUNT_QUOTA} WHERE a.address = ?1"))?
                    .query_row([&address], quota_row)
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("unknown account {address}")))
            })
            .await
    }

    /// The limit and usage of the account with row id `account` (IMAP, SMTP).
    pub async fn account_quota(&self, account: AccountId) -> Result<Quota> {
        self.inner
            .readers
            .read(move |conn| of_account(conn, account))
            .await
    }

    /// Whether every one of `accounts` may take a message of `size` bytes (0 when unknown):
    /// none is full and the message fits. SMTP asks at RCPT (RFC 3463 4.2.2 "mailbox full").
    pub async fn accepts_delivery(&self, accounts: Vec<AccountId>, size: u64) -> Result<bool> {
        if accounts.is_empty() {
            return Ok(true);
        }
        // An unlimited account always accepts: no read (and no hand-off to a reader thread)
        // on the hot path once its limit is known.
        let cache = &self.inner.resolve_cache;
        let (unlimited, stamp) = cache.all_unlimited(&accounts);
        if unlimited {
            return Ok(true);
        }
        let (accepts, limits) = self
            .inner
            .readers
            .read(move |conn| {
                let mut limits = Vec::with_capacity(accounts.len());
                let mut accepts = true;
                for account in accounts {
                    let q = of_account(conn, account)?;
                    limits.push((account, q.quota_bytes));
                    accepts &= !q.is_full() && q.allows(size);
                }
                Ok((accepts, limits))
            })
            .await?;
        cache.insert_limits(limits, stamp);
        Ok(accepts)
    }

    /// Every account's limit and usage, by account id, in one read.
    pub async fn quotas(&self) -> Result<HashMap<AccountId, Quota>> {
        self.inner
            .readers
            .read(|conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT a.id, a.quota_bytes, coalesce(sum(m.used_bytes), 0)
                     FROM accounts a LEFT JOIN mailboxes m ON m.account_id = a.id
                     GROUP BY a.id",
                )?;
                let rows = stmt.query_map([], |row| Ok((row.get(0)?, quota_at(row, 1)?)))?;
                Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
            })
            .await
    }
}
