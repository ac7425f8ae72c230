//! One accepted message: stored once, one INBOX row per local account, one queue row per
//! outside recipient, all in one job of the writer (so in one durable commit).
//!
//! This is the hot path. The caller hashes the body before the job is queued, so the writer
//! thread only runs a handful of cached statements per recipient.

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{Change, Delivery, Result, Store, StoreError, unix_now};

/// Bodies larger than this are hashed on a blocking thread rather than inline.
const HASH_INLINE_MAX: usize = 256 * 1024;

pub(crate) async fn deliver(store: &Store, delivery: Delivery) -> Result<()> {
    if delivery.accounts.is_empty() && delivery.remote.is_empty() {
        return Ok(());
    }
    let (delivery, hash) = if delivery.message.len() > HASH_INLINE_MAX {
        tokio::task::spawn_blocking(move || {
            let hash: [u8; 32] = Sha256::digest(&delivery.message).into();
            (delivery, hash)
        })
        .await
        .map_err(|_| crate::writer::internal_error("hashing the message failed"))?
    } else {
        let hash: [u8; 32] = Sha256::digest(&delivery.message).into();
        (delivery, hash)
    };
    store
        .inner
        .writer
        .write(move |conn, changes| insert(conn, &delivery, &hash, changes))
        .await
}

/// The writer's part; also used for DSNs (`queue.rs`), inside their own job.
pub(crate) fn insert(
    conn: &Connection,
    delivery: &Delivery,
    hash: &[u8; 32],
    changes: &mut Vec<Change>,
) -> Result<()> {
    let now = unix_now();
    let size = i64::try_from(delivery.message.len())
        .map_err(|_| StoreError::Invalid("the message is too large".into()))?;
    let blob = store_blob(conn, hash, size, &delivery.message)?;
    let mut rows = 0usize;

    let mut next_uid = conn.prepare_cached(
        "UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
         WHERE account_id = ?1 AND name = 'INBOX'
         RETURNING id, uid_next - 1, highest_modseq",
    )?;
    let mut add_message = conn.prepare_cached(
        "INSERT INTO messages (mailbox_id, uid, modseq, blob_id, flags, internal_date, size, sender)
         VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7)",
    )?;
    for (i, &account) in delivery.accounts.iter().enumerate() {
        if delivery.accounts[..i].contains(&account) {
            continue;
        }
        let inbox = next_uid
            .query_row([account], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })
            .optional()?;
        let Some((mailbox, uid, modseq)) = inbox else {
            tracing::warn!(account, "account vanished before delivery; skipped");
            continue;
        };
        // RFC 9051 §2.3.1.1: UIDs are 32-bit; a mailbox that ran out cannot take more.
        let (Ok(uid32), Ok(modseq64)) = (u32::try_from(uid), u64::try_from(modseq)) else {
            return Err(StoreError::Invalid(format!(
                "the inbox of account {account} has run out of message numbers"
            )));
        };
        add_message.execute(params![
            mailbox,
            uid,
            modseq,
            blob,
            now,
            size,
            delivery.envelope_from
        ])?;
        rows += 1;
        changes.push(Change::MessageAdded {
            account,
            mailbox,
            uid: uid32,
            modseq: modseq64,
        });
    }

    if !delivery.remote.is_empty() {
        let mut enqueue = conn.prepare_cached(
            "INSERT INTO queue (blob_id, sender, recipient, notify, orcpt, envid, ret,
                                next_attempt, created_at, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9) RETURNING id",
        )?;
        let sender = delivery
            .forward_sender
            .as_deref()
            .unwrap_or(&delivery.envelope_from);
        let mut ids = Vec::with_capacity(delivery.remote.len());
        for rcpt in &delivery.remote {
            ids.push(enqueue.query_row(
                params![
                    blob,
                    sender,
                    rcpt.address,
                    rcpt.notify,
                    rcpt.orcpt,
                    delivery.envid,
                    delivery.ret,
                    now,
                    delivery.origin.as_str()
                ],
                |row| row.get::<_, i64>(0),
            )?);
        }
        rows += ids.len();
        changes.push(Change::QueueAdded { ids });
    }

    if rows == 0 {
        // Every account vanished: nothing refers to a blob we may have just added.
        conn.prepare_cached("DELETE FROM blobs WHERE id = ?1 AND refcount = 0")?
            .execute([blob])?;
    }
    Ok(())
}

/// The id of the blob with this hash, inserting it if new. Its refcount is kept by the
/// triggers on `messages` and `queue`. IMAP's APPEND uses it too.
pub(crate) fn store_blob(
    conn: &Connection,
    hash: &[u8; 32],
    size: i64,
    data: &[u8],
) -> Result<i64> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO blobs (hash, size, refcount, data) VALUES (?1, ?2, 0, ?3)
             ON CONFLICT (hash) DO NOTHING RETURNING id",
        )?
        .query_row(params![&hash[..], size, data], |row| row.get::<_, i64>(0))
        .optional()?;
    match inserted {
        Some(id) => Ok(id),
        None => Ok(conn
            .prepare_cached("SELECT id FROM blobs WHERE hash = ?1")?
            .query_row([&hash[..]], |row| row.get(0))?),
    }
}
