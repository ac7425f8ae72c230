//! The outbound queue's rows: claiming due rows for delivery, recording each attempt (with
//! any DSN in the same commit), the administrator's controls, and DKIM keys per domain.
//!
//! States: `queued` (new, due now), `in-flight` (claimed by the scheduler), `deferred` (due
//! at `next_attempt`), `held` (never due until released), `delivered`, `failed`. A row left
//! `in-flight` by a crash is made due again by [`Store::queue_recover`] at start: delivery
//! is at least once, never lost.

use rusqlite::{Connection, OptionalExtension, Row, params};
use sha2::{Digest, Sha256};

use crate::{Change, Delivery, Origin, Result, Store, StoreError, address, unix_now};

/// A queue row's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    Queued,
    InFlight,
    Deferred,
    Held,
    Delivered,
    Failed,
}

impl QueueState {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueState::Queued => "queued",
            QueueState::InFlight => "in-flight",
            QueueState::Deferred => "deferred",
            QueueState::Held => "held",
            QueueState::Delivered => "delivered",
            QueueState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> QueueState {
        match s {
            "in-flight" => QueueState::InFlight,
            "deferred" => QueueState::Deferred,
            "held" => QueueState::Held,
            "delivered" => QueueState::Delivered,
            "failed" => QueueState::Failed,
            _ => QueueState::Queued,
        }
    }

    /// Delivered or failed: nothing more will happen to it.
    pub fn is_finished(self) -> bool {
        matches!(self, QueueState::Delivered | QueueState::Failed)
    }
}

/// A row claimed for delivery: everything the SMTP client and the DSN need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedRecipient {
    pub id: i64,
    /// The message body (shared by every recipient of one message).
    pub blob_id: i64,
    /// The envelope sender; empty for the null reverse-path (DSNs).
    pub sender: String,
    pub recipient: String,
    /// RFC 3461 NOTIFY, ORCPT, ENVID, RET as received.
    pub notify: Option<String>,
    pub orcpt: Option<String>,
    pub envid: Option<String>,
    pub ret: Option<String>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When the message was queued (Unix seconds).
    pub created_at: i64,
    /// Whether the delay notice was sent already.
    pub delay_notified: bool,
    /// How the message entered: decides DKIM signing.
    pub origin: Origin,
}

/// A queue row as `queue list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub id: i64,
    pub sender: String,
    pub recipient: String,
    pub state: QueueState,
    pub attempts: u32,
    /// Unix seconds of the next attempt (meaningful for queued and deferred rows).
    pub next_attempt: i64,
    pub last_reply: Option<String>,
    pub created_at: i64,
    /// The message size in bytes.
    pub size: i64,
}

/// One delivery attempt of a row, for `queue show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueAttempt {
    pub at: i64,
    /// The host tried, e.g. `mx.remote.test [127.0.0.2]:25`.
    pub host: Option<String>,
    /// The TLS used, e.g. `TLSv1.3, certificate verified`.
    pub tls: Option<String>,
    /// `delivered`, `deferred` or `failed`.
    pub outcome: String,
    pub reply: String,
}

/// What became of one claimed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at this time (Unix seconds).
    Deferred {
        next_attempt: i64,
    },
    Failed,
}

/// One attempt's result for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    pub id: i64,
    pub outcome: Outcome,
    pub host: Option<String>,
    pub tls: Option<String>,
    /// The remote reply or our reason, one line.
    pub reply: String,
    /// The delay notice goes out with this result.
    pub delay_notified: bool,
}

/// A DKIM signing key of one of our domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    pub domain: String,
    pub selector: String,
    /// `rsa-sha256` or `ed25519-sha256`.
    pub algorithm: String,
    /// PKCS#8 DER.
    pub private_key: Vec<u8>,
    /// Base64, for the `p=` tag of the DNS record.
    pub public_key: String,
}

const ENTRY_COLUMNS: &str = "q.id, q.sender, q.recipient, q.state, q.attempts, q.next_attempt,
     q.last_reply, q.created_at, b.size";

fn entry(row: &Row<'_>) -> rusqlite::Result<QueueEntry> {
    Ok(QueueEntry {
        id: row.get(0)?,
        sender: row.get(1)?,
        recipient: row.get(2)?,
        state: QueueState::parse(&row.get::<_, String>(3)?),
        attempts: row.get(4)?,
        next_attempt: row.get(5)?,
        last_reply: row.get(6)?,
        created_at: row.get(7)?,
        size: row.get(8)?,
    })
}

impl Store {
    /// Makes rows left `in-flight` (by a crash or a kill) due now; returns how many.
    pub async fn queue_recover(&self) -> Result<usize> {
        self.inner
            .writer
            .write(|conn, _| {
                Ok(conn
                    .prepare_cached(
                        "UPDATE queue SET state = 'queued', next_attempt = ?1
                         WHERE state = 'in-flight'",
                    )?
                    .execute([unix_now()])?)
            })
            .await
    }

    /// Marks up to `limit` due rows `in-flight` and returns them, oldest due first. Rows of
    /// one message come out together (ordered by message, then id).
    pub async fn queue_claim(&self, limit: usize) -> Result<Vec<QueuedRecipient>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.inner
            .writer
            .write(move |conn, _| {
                let mut stmt = conn.prepare_cached(
                    "UPDATE queue SET state = 'in-flight'
                     WHERE id IN (SELECT id FROM queue
                                  WHERE state IN ('queued', 'deferred') AND next_attempt <= ?1
                                  ORDER BY next_attempt, id LIMIT ?2)
                     RETURNING id, blob_id, sender, recipient, notify, orcpt, envid, ret,
                               attempts, created_at, delay_notified, origin",
                )?;
                let rows = stmt.query_map(params![unix_now(), limit], |row| {
                    Ok(QueuedRecipient {
                        id: row.get(0)?,
                        blob_id: row.get(1)?,
                        sender: row.get(2)?,
                        recipient: row.get(3)?,
                        notify: row.get(4)?,
                        orcpt: row.get(5)?,
                        envid: row.get(6)?,
                        ret: row.get(7)?,
                        attempts: row.get(8)?,
                        created_at: row.get(9)?,
                        delay_notified: row.get(10)?,
                        origin: Origin::parse(&row.get::<_, String>(11)?),
                    })
                })?;
                let mut claimed = rows.collect::<rusqlite::Result<Vec<_>>>()?;
                claimed.sort_by_key(|r| (r.blob_id, r.id));
                Ok(claimed)
            })
            .await
    }

    /// When the next queued or deferred row is due (Unix seconds), if any.
    pub async fn queue_next_due(&self) -> Result<Option<i64>> {
        self.inner
            .readers
            .read(|conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT min(next_attempt) FROM queue WHERE state IN ('queued', 'deferred')",
                    )?
                    .query_row([], |row| row.get(0))?)
            })
            .await
    }

    /// The stored message (body with headers) of a queue row's blob.
    pub async fn queue_message(&self, blob_id: i64) -> Result<Vec<u8>> {
        self.inner
            .readers
            .read(move |conn| {
                conn.prepare_cached("SELECT data FROM blobs WHERE id = ?1")?
                    .query_row([blob_id], |row| row.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("message {blob_id} is gone")))
            })
            .await
    }

    /// Records the attempts' results and stores the DSNs they cause, in one durable commit:
    /// a failure is never recorded without its DSN, nor a DSN sent twice for one failure.
    /// Rows deleted meanwhile are skipped; a row held meanwhile stays held unless it was
    /// delivered or failed.
    pub async fn queue_finish(
        &self,
        results: Vec<AttemptResult>,
        notices: Vec<Delivery>,
    ) -> Result<()> {
        let notices: Vec<(Delivery, [u8; 32])> = notices
            .into_iter()
            .map(|d| {
                let hash: [u8; 32] = Sha256::digest(&d.message).into();
                (d, hash)
            })
            .collect();
        self.inner
            .writer
            .write(move |conn, changes| finish(conn, &results, &notices, changes))
            .await
    }

    /// Queued, in-flight, deferred and held rows; with `all`, delivered and failed ones too.
    pub async fn queue_list(&self, all: bool) -> Result<Vec<QueueEntry>> {
        self.inner
            .readers
            .read(move |conn| {
                let filter = if all {
                    ""
                } else {
                    "WHERE q.state NOT IN ('delivered', 'failed')"
                };
                let mut stmt = conn.prepare(&format!(
                    "SELECT {ENTRY_COLUMNS} FROM queue q JOIN blobs b ON b.id = q.blob_id
                     {filter} ORDER BY q.id"
                ))?;
                let rows = stmt.query_map([], entry)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    /// One row and every attempt made for it, oldest first.
    pub async fn queue_show(&self, id: i64) -> Result<(QueueEntry, Vec<QueueAttempt>)> {
        self.inner
            .readers
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let found = tx
                    .prepare(&format!(
                        "SELECT {ENTRY_COLUMNS} FROM queue q JOIN blobs b ON b.id = q.blob_id
                         WHERE q.id = ?1"
                    ))?
                    .query_row([id], entry)
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no queue entry {id}")))?;
                let mut stmt = tx.prepare_cached(
                    "SELECT at, host, tls, outcome, reply FROM queue_attempts
                     WHERE queue_id = ?1 ORDER BY id",
                )?;
                let attempts = stmt
                    .query_map([id], |row| {
                        Ok(QueueAttempt {
                            at: row.get(0)?,
                            host: row.get(1)?,
                            tls: row.get(2)?,
                            outcome: row.get(3)?,
                            reply: row.get(4)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                drop(stmt);
                tx.finish()?;
                Ok((found, attempts))
            })
            .await
    }

    /// Makes a queued or deferred row (or, with `None`, every one) due now; returns how
    /// many. Held rows need [`Store::queue_release`].
    pub async fn queue_retry(&self, id: Option<i64>) -> Result<usize> {
        self.inner
            .writer
            .write(move |conn, _| {
                let now = unix_now();
                let n = match id {
                    Some(id) => conn
                        .prepare_cached(
                            "UPDATE queue SET next_attempt = ?1
                             WHERE id = ?2 AND state IN ('queued', 'deferred')",
                        )?
                        .execute(params![now, id])?,
                    None => conn
                        .prepare_cached(
                            "UPDATE queue SET next_attempt = ?1
                             WHERE state IN ('queued', 'deferred')",
                        )?
                        .execute([now])?,
                };
                if n == 0
                    && let Some(id) = id
                {
                    return Err(not_in_state(conn, id, "queued or deferred")?);
                }
                Ok(n)
            })
            .await
    }

    /// ETRN (RFC 1985 §3): makes the queued and deferred rows for `domain` (and, with
    /// `subdomains`, for its sub-domains) due now. `None` when we hold no mail for it (no
    /// row that is not finished); else how many rows were made due.
    pub async fn queue_flush_domain(
        &self,
        domain: &str,
        subdomains: bool,
    ) -> Result<Option<usize>> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        self.inner
            .writer
            .write(move |conn, _| {
                const FOR_DOMAIN: &str = "state NOT IN ('delivered', 'failed') AND \
                    (lower(substr(recipient, instr(recipient, '@') + 1)) = ?1 \
                     OR (?2 AND substr(lower(recipient), -length(?1) - 1) = '.' || ?1))";
                let held: i64 = conn.query_row(
                    &format!("SELECT count(*) FROM queue WHERE {FOR_DOMAIN}"),
                    params![domain, subdomains],
                    |row| row.get(0),
                )?;
                if held == 0 {
                    return Ok(None);
                }
                let n = conn
                    .prepare_cached(&format!(
                        "UPDATE queue SET next_attempt = ?3 \
                         WHERE state IN ('queued', 'deferred') AND {FOR_DOMAIN}"
                    ))?
                    .execute(params![domain, subdomains, unix_now()])?;
                Ok(Some(n))
            })
            .await
    }

    /// Deletes a row (any state); an attempt in flight finishes but is not recorded.
    pub async fn queue_delete(&self, id: i64) -> Result<()> {
        self.inner
            .writer
            .write(move |conn, _| {
                if conn
                    .prepare_cached("DELETE FROM queue WHERE id = ?1")?
                    .execute([id])?
                    == 0
                {
                    return Err(StoreError::NotFound(format!("no queue entry {id}")));
                }
                Ok(())
            })
            .await
    }

    /// Holds a pending row: it is not tried until released.
    pub async fn queue_hold(&self, id: i64) -> Result<()> {
        self.set_state(
            id,
            "UPDATE queue SET state = 'held'
             WHERE id = ?1 AND state IN ('queued', 'deferred', 'in-flight')",
            "queued, deferred or in flight",
        )
        .await
    }

    /// Releases a held row: due now.
    pub async fn queue_release(&self, id: i64) -> Result<()> {
        self.set_state(
            id,
            "UPDATE queue SET state = 'queued', next_attempt = unixepoch()
             WHERE id = ?1 AND state = 'held'",
            "held",
        )
        .await
    }

    async fn set_state(&self, id: i64, sql: &'static str, wanted: &'static str) -> Result<()> {
        self.inner
            .writer
            .write(move |conn, _| {
                if conn.prepare_cached(sql)?.execute([id])? == 0 {
                    return Err(not_in_state(conn, id, wanted)?);
                }
                Ok(())
            })
            .await
    }

    /// Deletes delivered and failed rows that finished before `before` (Unix seconds);
    /// their bodies go with the last reference. Returns how many.
    pub async fn queue_purge(&self, before: i64) -> Result<usize> {
        self.inner
            .writer
            .write(move |conn, _| {
                Ok(conn
                    .prepare_cached(
                        "DELETE FROM queue WHERE finished_at IS NOT NULL AND finished_at < ?1",
                    )?
                    .execute([before])?)
            })
            .await
    }

    /// Stores the DKIM key of a domain, replacing one with the same selector.
    pub async fn set_dkim_key(&self, key: DkimKey) -> Result<()> {
        let domain = address::normalize(&key.domain);
        self.inner
            .writer
            .write(move |conn, _| {
                let domain_id: i64 = conn
                    .prepare_cached("SELECT id FROM domains WHERE name = ?1")?
                    .query_row([&domain], |row| row.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("unknown domain {domain}")))?;
                conn.prepare_cached(
                    "INSERT INTO dkim_keys (domain_id, selector, algorithm, private_key,
                                            public_key, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (domain_id, selector) DO UPDATE SET
                       algorithm = excluded.algorithm, private_key = excluded.private_key,
                       public_key = excluded.public_key, created_at = excluded.created_at",
                )?
                .execute(params![
                    domain_id,
                    key.selector,
                    key.algorithm,
                    key.private_key,
                    key.public_key,
                    unix_now()
                ])?;
                Ok(())
            })
            .await
    }

    /// The newest DKIM key of a domain, if it has one.
    pub async fn dkim_key(&self, domain: &str) -> Result<Option<DkimKey>> {
        let domain = address::normalize(domain);
        self.inner
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT d.name, k.selector, k.algorithm, k.private_key, k.public_key
                         FROM dkim_keys k JOIN domains d ON d.id = k.domain_id
                         WHERE d.name = ?1 ORDER BY k.created_at DESC, k.id DESC LIMIT 1",
                    )?
                    .query_row([domain], |row| {
                        Ok(DkimKey {
                            domain: row.get(0)?,
                            selector: row.get(1)?,
                            algorithm: row.get(2)?,
                            private_key: row.get(3)?,
                            public_key: row.get(4)?,
                        })
                    })
                    .optional()?)
            })
            .await
    }
}

/// The writer's part of [`Store::queue_finish`].
fn finish(
    conn: &Connection,
    results: &[AttemptResult],
    notices: &[(Delivery, [u8; 32])],
    changes: &mut Vec<Change>,
) -> Result<()> {
    let now = unix_now();
    let mut done = conn.prepare_cached(
        "UPDATE queue SET state = ?2, attempts = attempts + 1, last_reply = ?3,
                          delay_notified = delay_notified OR ?4, finished_at = ?5
         WHERE id = ?1",
    )?;
    let mut deferred = conn.prepare_cached(
        "UPDATE queue SET state = CASE state WHEN 'in-flight' THEN 'deferred' ELSE state END,
                          attempts = attempts + 1, next_attempt = ?2, last_reply = ?3,
                          delay_notified = delay_notified OR ?4
         WHERE id = ?1",
    )?;
    let mut attempt = conn.prepare_cached(
        "INSERT INTO queue_attempts (queue_id, at, host, tls, outcome, reply)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut ids = Vec::with_capacity(results.len());
    for r in results {
        let (updated, outcome) = match r.outcome {
            Outcome::Delivered => (
                done.execute(params![r.id, "delivered", r.reply, r.delay_notified, now])?,
                "delivered",
            ),
            Outcome::Failed => (
                done.execute(params![r.id, "failed", r.reply, r.delay_notified, now])?,
                "failed",
            ),
            Outcome::Deferred { next_attempt } => (
                deferred.execute(params![r.id, next_attempt, r.reply, r.delay_notified])?,
                "deferred",
            ),
        };
        if updated == 0 {
            // Deleted by the administrator while in flight.
            continue;
        }
        attempt.execute(params![r.id, now, r.host, r.tls, outcome, r.reply])?;
        ids.push(r.id);
    }
    for (notice, hash) in notices {
        crate::deliver::insert(conn, notice, hash, changes)?;
    }
    if !ids.is_empty() {
        changes.push(Change::QueueUpdated { ids });
    }
    Ok(())
}

/// The error for a control that does not apply to the row's state (or a missing row).
fn not_in_state(conn: &Connection, id: i64, wanted: &str) -> Result<StoreError> {
    let state: Option<String> = conn
        .prepare_cached("SELECT state FROM queue WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(match state {
        None => StoreError::NotFound(format!("no queue entry {id}")),
        Some(state) => StoreError::Invalid(format!(
            "queue entry {id} is {state}; this needs it {wanted}"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RemoteRecipient;

    async fn store_with_row(dir: &tempfile::TempDir) -> Result<Store> {
        let store = Store::open(&dir.path().join("q.db"))?;
        store
            .deliver(Delivery {
                message: b"Subject: x\r\n\r\nhi\r\n".to_vec(),
                envelope_from: "a@here.test".into(),
                envid: None,
                ret: None,
                accounts: vec![],
                junk: false,
                remote: vec![RemoteRecipient {
                    address: "b@there.test".into(),
                    notify: None,
                    orcpt: None,
                }],
                origin: crate::Origin::Submission,
                forward_sender: None,
            })
            .await?;
        Ok(store)
    }

    #[tokio::test]
    async fn a_claimed_row_is_in_flight_and_recovered_after_a_crash() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let store = store_with_row(&dir).await?;
        let claimed = store.queue_claim(10).await?;
        assert_eq!(claimed.len(), 1);
        assert!(store.queue_claim(10).await?.is_empty(), "claimed once");
        assert_eq!(
            store.queue_list(false).await?[0].state,
            QueueState::InFlight
        );
        assert_eq!(store.queue_recover().await?, 1);
        assert_eq!(store.queue_claim(10).await?.len(), 1, "due again");
        Ok(())
    }

    #[tokio::test]
    async fn a_deferred_row_held_in_flight_stays_held() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let store = store_with_row(&dir).await?;
        let id = store.queue_claim(10).await?[0].id;
        store.queue_hold(id).await?;
        store
            .queue_finish(
                vec![AttemptResult {
                    id,
                    outcome: Outcome::Deferred { next_attempt: 0 },
                    host: None,
                    tls: None,
                    reply: "451 later".into(),
                    delay_notified: false,
                }],
                vec![],
            )
            .await?;
        let (row, attempts) = store.queue_show(id).await?;
        assert_eq!(row.state, QueueState::Held);
        assert_eq!(row.attempts, 1);
        assert_eq!(attempts.len(), 1);
        assert!(store.queue_claim(10).await?.is_empty(), "held is never due");
        store.queue_release(id).await?;
        assert_eq!(store.queue_claim(10).await?.len(), 1);
        Ok(())
    }

    #[tokio::test]
    async fn results_for_deleted_rows_are_skipped() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let store = store_with_row(&dir).await?;
        let id = store.queue_claim(10).await?[0].id;
        store.queue_delete(id).await?;
        store
            .queue_finish(
                vec![AttemptResult {
                    id,
                    outcome: Outcome::Delivered,
                    host: None,
                    tls: None,
                    reply: "250 ok".into(),
                    delay_notified: false,
                }],
                vec![],
            )
            .await?;
        assert!(store.queue_list(true).await?.is_empty());
        assert!(matches!(
            store.queue_retry(Some(id)).await,
            Err(StoreError::NotFound(_))
        ));
        Ok(())
    }
}
