//! Moving in (issue #18): what an import needs besides APPEND: whether a message is already
//! in the mailbox, so that an import run again (after a cut, or by mistake) adds each message
//! once.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{AccountId, Result, Store, StoreError};

impl Store {
    /// Whether the account's mailbox `name` holds a message with exactly the bytes
    /// `message` (compared by their SHA-256, as bodies are stored).
    pub async fn holds(&self, account: AccountId, name: &str, message: &[u8]) -> Result<bool> {
        let hash: [u8; 32] = Sha256::digest(message).into();
        let name = name.to_string();
        self.inner
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT 1 FROM messages m
                         JOIN mailboxes x ON x.id = m.mailbox_id
                         JOIN blobs b ON b.id = m.blob_id
                         WHERE x.account_id = ?1 AND x.name = ?2 AND b.hash = ?3 LIMIT 1",
                    )?
                    .query_row(params![account, name, &hash[..]], |_| Ok(()))
                    .optional()?
                    .is_some())
            })
            .await
    }

    /// Makes the mailbox `name` unless the account has it.
    pub async fn ensure_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Ok(());
        }
        match self.create_mailbox(account, name).await {
            Err(StoreError::AlreadyExists(_)) => Ok(()),
            other => other,
        }
    }
}
