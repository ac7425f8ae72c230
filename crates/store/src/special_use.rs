//! CREATE with a special use (RFC 6154 §3 CREATE-SPECIAL-USE): one mailbox per special use
//! and account, so a client asking for a second `\Sent` is refused.

use rusqlite::params;

use crate::{AccountId, Result, Store};

impl Store {
    /// Creates `name` with the special-use attribute `special_use` (e.g. `\Archive`).
    /// `Ok(false)` when another mailbox of the account has that use: nothing is created.
    /// Name checks and errors are those of [`Store::create_mailbox`].
    pub async fn create_mailbox_with_use(
        &self,
        account: AccountId,
        name: &str,
        special_use: &str,
    ) -> Result<bool> {
        if self.special_use_taken(account, special_use).await? {
            return Ok(false);
        }
        self.create_mailbox(account, name).await?;
        let (name, special_use) = (name.to_string(), special_use.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                // Another session may have taken the use between the check and the create:
                // then the new mailbox goes again (RFC 6154 §3: MUST NOT create it).
                let set = conn
                    .prepare_cached(
                        "UPDATE mailboxes SET special_use = ?3 WHERE account_id = ?1 AND name = ?2
                         AND NOT EXISTS (SELECT 1 FROM mailboxes
                                         WHERE account_id = ?1 AND special_use = ?3)",
                    )?
                    .execute(params![account, name, special_use])?;
                if set == 0 {
                    conn.prepare_cached(
                        "DELETE FROM mailboxes WHERE account_id = ?1 AND name = ?2
                         AND special_use IS NULL",
                    )?
                    .execute(params![account, name])?;
                }
                Ok(set > 0)
            })
            .await
    }

    async fn special_use_taken(&self, account: AccountId, special_use: &str) -> Result<bool> {
        let special_use = special_use.to_string();
        self.inner
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT count(*) FROM mailboxes WHERE account_id = ?1 AND special_use = ?2",
                    )?
                    .query_row(params![account, special_use], |row| row.get::<_, i64>(0))?
                    > 0)
            })
            .await
    }
}
