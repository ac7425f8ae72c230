//! What `[[collect]]` jobs fetched from outside mailboxes: one `collected` row per job and
//! remote id (POP3 UIDL, IMAP `UIDVALIDITY:UID`), with the message's content fingerprint
//! (`fingerprint.rs`) and the job's local destination (its "scope").
//!
//! Exactly-once: [`Store::deliver_collected`] records the remote id and delivers the message
//! in ONE writer job (one transaction). A message whose id is recorded already is not
//! delivered again, so a run cut off anywhere (before or after the commit) leaves a state the
//! next run completes. The collector deletes on the server only after the commit returned.
//!
//! Remote ids change while the message does not: the IMAP mailbox's UIDVALIDITY changes
//! (RFC 9051 §2.3.1.1: every UID is new), or the user edits the job's host, port or user,
//! which makes another job label for the same mailbox. So a message whose fingerprint was
//! collected for the same scope already is recorded under its new id but not delivered again.

use std::collections::{HashMap, HashSet};

use rusqlite::params;
use sha2::{Digest, Sha256};

use crate::{Delivery, Result, Store, unix_now};

mod fingerprint;

/// Who collected a message, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedBy {
    /// The job's label, `pop3://user@host:port`.
    pub job: String,
    /// POP3 UIDL, IMAP `UIDVALIDITY:UID`.
    pub remote_id: String,
    /// The job's local destination (its account, or a domain mailbox's fallback), which
    /// does not change when the job is pointed at another name of the same server: the
    /// fingerprints of one scope are compared.
    pub scope: String,
}

/// What [`Store::deliver_collected`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collected {
    /// Recorded and delivered.
    Delivered,
    /// The remote id was recorded already: nothing done.
    Known,
    /// The same content was collected for the scope before (under another id, or by
    /// another job): the id is recorded, with the first copy's first-seen time, and nothing
    /// is delivered.
    Duplicate { first_seen: i64 },
}

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

    /// Records the message `by` names as collected and delivers it, in one durable commit;
    /// `downloaded` is the message as the server sent it (its fingerprint is recorded).
    /// Delivers nothing when the id is recorded already, or the content is, for the scope.
    pub async fn deliver_collected(
        &self,
        by: CollectedBy,
        downloaded: Vec<u8>,
        delivery: Delivery,
    ) -> Result<Collected> {
        let (delivery, hash, print) = tokio::task::spawn_blocking(move || {
            let hash: [u8; 32] = Sha256::digest(&delivery.message).into();
            (delivery, hash, fingerprint::fingerprint(&downloaded))
        })
        .await
        .map_err(|_| crate::writer::internal_error("hashing the message failed"))?;
        self.inner
            .writer
            .write(move |conn, changes| {
                let earlier: Option<i64> = conn
                    .prepare_cached(
                        "SELECT MIN(first_seen) FROM collected WHERE scope = ?1 AND fingerprint = ?2",
                    )?
                    .query_row(params![by.scope, print], |row| row.get(0))?;
                let added = conn
                    .prepare_cached(
                        "INSERT INTO collected (job, remote_id, first_seen, scope, fingerprint)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![
                        by.job,
                        by.remote_id,
                        earlier.unwrap_or_else(unix_now),
                        by.scope,
                        print
                    ])?;
                Ok(match (added, earlier) {
                    (0, _) => Collected::Known,
                    (_, Some(first_seen)) => Collected::Duplicate { first_seen },
                    (_, None) => {
                        crate::deliver::insert(conn, &delivery, &hash, changes)?;
                        Collected::Delivered
                    }
                })
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

    /// Forgets the rows of jobs no longer configured (not in `live`) whose content `job`
    /// has recorded for the same scope: a job edited to another host name took them over.
    /// Returns how many. Rows of a removed job that nothing took over stay (at most one per
    /// message its mailbox held), so that a job re-added later does not deliver them again.
    pub async fn forget_superseded(
        &self,
        job: &str,
        scope: &str,
        live: Vec<String>,
    ) -> Result<usize> {
        let (job, scope) = (job.to_string(), scope.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                let live: HashSet<String> = live.into_iter().collect();
                let mut select = conn.prepare_cached(
                    "SELECT o.job, o.remote_id FROM collected o
                     WHERE o.scope = ?1 AND o.job <> ?2 AND o.fingerprint IS NOT NULL
                       AND EXISTS (SELECT 1 FROM collected n WHERE n.scope = ?1
                                   AND n.fingerprint = o.fingerprint AND n.job = ?2)",
                )?;
                let stale = select
                    .query_map(params![scope, job], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut delete =
                    conn.prepare_cached("DELETE FROM collected WHERE job = ?1 AND remote_id = ?2")?;
                let mut forgotten = 0;
                for (old_job, remote_id) in stale.iter().filter(|(j, _)| !live.contains(j)) {
                    forgotten += delete.execute(params![old_job, remote_id])?;
                }
                Ok(forgotten)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::{Collected, CollectedBy};
    use crate::fixture::store_with_account;
    use crate::{AccountId, Delivery, Resolution, Store};

    fn by(job: &str, remote_id: &str, scope: &str) -> CollectedBy {
        CollectedBy {
            job: job.into(),
            remote_id: remote_id.into(),
            scope: scope.into(),
        }
    }

    fn delivery(account: AccountId, message: &[u8]) -> Delivery {
        Delivery::inbound("", message.to_vec(), vec![account])
    }

    async fn store_with_alice() -> crate::Result<(tempfile::TempDir, Store, AccountId)> {
        store_with_account("alice@example.test").await
    }

    #[tokio::test]
    async fn a_collected_message_is_delivered_once_and_can_be_forgotten() -> crate::Result<()> {
        let (_dir, store, account) = store_with_alice().await?;
        let message = b"Subject: hi\r\n\r\nbody\r\n";
        let d = delivery(account, message);
        let job = "pop3://u@h:110";
        let a1 = by(job, "a1", "alice@example.test");
        let got = store
            .deliver_collected(a1.clone(), message.to_vec(), d.clone())
            .await?;
        assert_eq!(got, Collected::Delivered);
        let got = store
            .deliver_collected(a1, message.to_vec(), d.clone())
            .await?;
        assert_eq!(got, Collected::Known);
        // Another job may see the same id; with other content (another scope) it delivers.
        let other = by("imap://u@h:143", "a1", "bob@example.test");
        let got = store
            .deliver_collected(other, b"Subject: other\r\n\r\n".to_vec(), d.clone())
            .await?;
        assert_eq!(got, Collected::Delivered);
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

    #[tokio::test]
    async fn the_same_content_under_a_new_id_or_job_is_recorded_not_delivered() -> crate::Result<()>
    {
        let (_dir, store, account) = store_with_alice().await?;
        let scope = "alice@example.test";
        let (old_job, new_job) = ("pop3://u@pop.isp:110", "pop3://u@pop3.isp:110");
        let message = b"Subject: hi\r\n\r\nbody\r\n";
        let d = delivery(account, message);
        let got = store
            .deliver_collected(by(old_job, "1:7", scope), message.to_vec(), d.clone())
            .await?;
        assert_eq!(got, Collected::Delivered);
        let first_seen = store.collected_ids(old_job).await?["1:7"];
        // A new UIDVALIDITY: the same job, a new id, LF line ends this time.
        let lf = b"Subject: hi\n\nbody\n".to_vec();
        let got = store
            .deliver_collected(by(old_job, "2:1", scope), lf.clone(), d.clone())
            .await?;
        assert_eq!(got, Collected::Duplicate { first_seen });
        // A renamed job.
        let got = store
            .deliver_collected(by(new_job, "2:1", scope), lf.clone(), d.clone())
            .await?;
        assert_eq!(got, Collected::Duplicate { first_seen });
        // Another destination gets its own copy.
        let got = store
            .deliver_collected(by(new_job, "2:2", "bob@example.test"), lf, d.clone())
            .await?;
        assert_eq!(got, Collected::Delivered);
        assert_eq!(store.maildrop(account).await?.messages.len(), 2);
        assert_eq!(store.collected_ids(new_job).await?["2:1"], first_seen);

        // The old job is still configured: its rows stay; once it is not, they go.
        let live = vec![old_job.to_string(), new_job.to_string()];
        assert_eq!(store.forget_superseded(new_job, scope, live).await?, 0);
        let live = vec![new_job.to_string()];
        assert_eq!(store.forget_superseded(new_job, scope, live).await?, 2);
        assert!(store.collected_ids(old_job).await?.is_empty());
        assert_eq!(store.collected_ids(new_job).await?.len(), 2);
        Ok(())
    }
}
