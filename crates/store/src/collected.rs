//! What `[[collect]]` jobs fetched from outside mailboxes: one `collected` row per job and
//! remote id (POP3 UIDL, IMAP `UIDVALIDITY:UID`).
//!
//! Exactly-once: [`Store::deliver_collected`] records the remote id and delivers the message
//! in ONE writer job (one transaction). A message whose id is recorded already is not
//! delivered again, so a run cut off anywhere (before or after the commit) leaves a state the
//! next run completes. The collector deletes on the server only after the commit returned.

use std::collections::HashMap;

use rusqlite::params;
use sha2::{Digest, Sha256};

use crate::{Delivery, Result, Store, unix_now};

impl Store {
    /// The remote ids a job has collected, each with its first-seen time (unix seconds).
    pub async fn collected_ids(&self, job: &str) -> Result<HashMap<String, i64>> {
        let job = job.to_string();
        self.inner
            .readers
            .read(move |conn| {
                let mut stmt = conn
                    .prepare_cached("SELECT remote_id, first_seen FROM collected WHERE job = ?1")?;
                let rows = stmt.query_map([&job], |row| Ok((row.get(0)?, row.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<HashMap<String, i64>>>()?)
            })
            .await
    }

    /// Records `remote_id` as collected by `job` and delivers the message, in one durable
    /// commit. Returns `false` (and delivers nothing) when the id was recorded already.
    pub async fn deliver_collected(
        &self,
        job: &str,
        remote_id: &str,
        delivery: Delivery,
    ) -> Result<bool> {
        let (job, remote_id) = (job.to_string(), remote_id.to_string());
        let (delivery, hash) = tokio::task::spawn_blocking(move || {
            let hash: [u8; 32] = Sha256::digest(&delivery.message).into();
            (delivery, hash)
        })
        .await
        .map_err(|_| crate::writer::internal_error("hashing the message failed"))?;
        self.inner
            .writer
            .write(move |conn, changes| {
                let added = conn
                    .prepare_cached(
                        "INSERT INTO collected (job, remote_id, first_seen) VALUES (?1, ?2, ?3)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![job, remote_id, unix_now()])?;
                if added == 0 {
                    return Ok(false);
                }
                crate::deliver::insert(conn, &delivery, &hash, changes)?;
                Ok(true)
            })
            .await
    }

    /// Forgets remote ids of a job: messages deleted on the server, gone from it, or of an
    /// old IMAP UIDVALIDITY.
    pub async fn forget_collected(&self, job: &str, remote_ids: Vec<String>) -> Result<()> {
        if remote_ids.is_empty() {
            return Ok(());
        }
        let job = job.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let mut delete =
                    conn.prepare_cached("DELETE FROM collected WHERE job = ?1 AND remote_id = ?2")?;
                for id in &remote_ids {
                    delete.execute(params![job, id])?;
                }
                Ok(())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use crate::{Delivery, Resolution, Store};

    #[tokio::test]
    async fn a_collected_message_is_delivered_once_and_can_be_forgotten() -> crate::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("t.db"))?;
        store.add_domain("example.test").await?;
        let account = store
            .add_account("alice@example.test", "Correct-Horse-9")
            .await?;
        let delivery = Delivery {
            message: b"Subject: hi\r\n\r\nbody\r\n".to_vec(),
            envelope_from: String::new(),
            envid: None,
            ret: None,
            accounts: vec![account],
            remote: vec![],
        };
        let job = "pop3://u@h:110";
        assert!(store.deliver_collected(job, "a1", delivery.clone()).await?);
        assert!(!store.deliver_collected(job, "a1", delivery.clone()).await?);
        // Another job may see the same id.
        assert!(
            store
                .deliver_collected("imap://u@h:143", "a1", delivery.clone())
                .await?
        );
        let ids = store.collected_ids(job).await?;
        assert_eq!(ids.keys().collect::<Vec<_>>(), ["a1"]);
        let inbox = store.maildrop(account).await?;
        assert_eq!(inbox.messages.len(), 2);
        store.forget_collected(job, vec!["a1".into()]).await?;
        assert!(store.collected_ids(job).await?.is_empty());
        assert!(matches!(
            store.resolve("alice@example.test").await?,
            Resolution::Deliver { .. }
        ));
        Ok(())
    }
}
