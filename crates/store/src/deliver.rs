//! One accepted message: stored once, one INBOX row per local account, one queue row per
//! outside recipient, all in one job of the writer (so in one durable commit).
//!
//! This is the hot path. The caller hashes the body before the job is queued, so the writer
//! thread only runs a handful of cached statements per recipient.

use rusqlite::{Connection, MAIN_DB, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::spool::{Spool, SpooledMessage, hash_message};
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

/// As [`deliver`], with the message in `spool` instead of `delivery.message` (which is
/// ignored): it is hashed and copied into the blob in pieces, never held whole. The copy runs
/// inside the writer's job, so the blob and the rows that refer to it are one commit.
pub(crate) async fn deliver_spooled(store: &Store, delivery: Delivery, spool: Spool) -> Result<()> {
    if delivery.accounts.is_empty() && delivery.remote.is_empty() {
        return Ok(());
    }
    let mut message = spool.into_message()?;
    let (message, hash) =
        tokio::task::spawn_blocking(move || hash_message(&mut message).map(|hash| (message, hash)))
            .await
            .map_err(|_| crate::writer::internal_error("hashing the message failed"))??;
    let size = i64::try_from(message.len()).map_err(|_| too_large())?;
    store
        .inner
        .writer
        .write(move |conn, changes| {
            let mut message = message;
            let blob = store_blob_from_file(conn, &hash, size, &mut message)?;
            insert_rows(conn, &delivery, blob, size, changes)
        })
        .await
}

fn too_large() -> StoreError {
    StoreError::Invalid("the message is too large".into())
}

/// The writer's part; also used for DSNs (`queue.rs`), inside their own job.
pub(crate) fn insert(
    conn: &Connection,
    delivery: &Delivery,
    hash: &[u8; 32],
    changes: &mut Vec<Change>,
) -> Result<()> {
    let size = i64::try_from(delivery.message.len()).map_err(|_| too_large())?;
    let blob = store_blob(conn, hash, size, &delivery.message)?;
    insert_rows(conn, delivery, blob, size, changes)
}

/// The message rows and queue rows of a delivery whose body is `blob`.
fn insert_rows(
    conn: &Connection,
    delivery: &Delivery,
    blob: i64,
    size: i64,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let now = unix_now();
    let mut rows = 0usize;

    let mut next_uid = conn.prepare_cached(match delivery.junk {
        false => {
            "UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
             WHERE account_id = ?1 AND name = 'INBOX'
             RETURNING id, uid_next - 1, highest_modseq"
        }
        // RFC 6154 §2: the mailbox with the \Junk attribute; INBOX if the account has none.
        true => {
            "UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
             WHERE id = coalesce(
                 (SELECT id FROM mailboxes WHERE account_id = ?1 AND special_use = '\\Junk'
                  ORDER BY id LIMIT 1),
                 (SELECT id FROM mailboxes WHERE account_id = ?1 AND name = 'INBOX'))
             RETURNING id, uid_next - 1, highest_modseq"
        }
    })?;
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
        None => blob_id(conn, hash),
    }
}

fn blob_id(conn: &Connection, hash: &[u8; 32]) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT id FROM blobs WHERE hash = ?1")?
        .query_row([&hash[..]], |row| row.get(0))?)
}

/// As [`store_blob`], with the body read from the spooled `message` (`size` bytes): a new
/// blob is made at its full size (zeroblob) and filled with incremental blob I/O, a piece at
/// a time.
fn store_blob_from_file(
    conn: &Connection,
    hash: &[u8; 32],
    size: i64,
    message: &mut SpooledMessage,
) -> Result<i64> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO blobs (hash, size, refcount, data) VALUES (?1, ?2, 0, zeroblob(?2))
             ON CONFLICT (hash) DO NOTHING RETURNING id",
        )?
        .query_row(params![&hash[..], size], |row| row.get::<_, i64>(0))
        .optional()?;
    let Some(id) = inserted else {
        return blob_id(conn, hash);
    };
    let mut blob = conn.blob_open(MAIN_DB, c"blobs", c"data", id, false)?;
    let len = u64::try_from(size).map_err(|_| too_large())?;
    let copied = std::io::copy(&mut message.reader()?, &mut blob)?;
    if copied != len {
        return Err(StoreError::Invalid(format!(
            "the spooled message is {copied} bytes, {len} were expected"
        )));
    }
    blob.close()?;
    Ok(id)
}
