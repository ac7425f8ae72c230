//! IMAP's view of an account: its mailboxes (list, create, delete, rename, subscribe), a
//! mailbox's messages with UIDs, flags and MODSEQs, and the writes IMAP makes: APPEND,
//! COPY/MOVE, EXPUNGE (flags: `modseq.rs`). Bodies are read with `maildrop.rs` (`message_chunks`,
//! `read_messages`); deletion is `maildrop.rs`'s, so POP3 and IMAP expunge the same way.
//!
//! Flags are stored as one space-separated string per message (`\Seen \Flagged $Label`).

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::writer::internal_error;
use crate::{AccountId, Change, Result, Store, StoreError, unix_now};

/// One mailbox of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    pub id: i64,
    /// The name in UTF-8, `/` as the hierarchy delimiter.
    pub name: String,
    /// RFC 6154 attribute (`\Sent`, `\Drafts`, `\Trash`, `\Junk`), if any.
    pub special_use: Option<String>,
    pub subscribed: bool,
}

/// One message's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: u32,
    pub modseq: u64,
    pub flags: Vec<String>,
    /// Unix seconds.
    pub internal_date: i64,
    pub size: u64,
}

/// A mailbox and its messages in UID order, from one read transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSnapshot {
    pub info: MailboxInfo,
    pub uid_validity: u32,
    pub uid_next: u32,
    pub highest_modseq: u64,
    /// RFC 3501 §2.3.2: messages from this UID on are \Recent to the next session that
    /// claims them ([`Store::claim_recent`]).
    pub recent_uid: u32,
    pub messages: Vec<MessageMeta>,
}

/// How STORE changes flags (RFC 9051 §6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    Replace,
    Add,
    Remove,
}

/// A message's flags after a STORE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUpdate {
    pub uid: u32,
    pub flags: Vec<String>,
    pub modseq: u64,
}

/// Where APPEND, COPY or MOVE put messages: for APPENDUID / COPYUID (RFC 4315 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub uid_validity: u32,
    /// (source UID, new UID); for APPEND the source is 0.
    pub uids: Vec<(u32, u32)>,
}

pub(crate) fn parse_flags(s: &str) -> Vec<String> {
    s.split_ascii_whitespace().map(str::to_string).collect()
}

pub(crate) fn join_flags(flags: &[String]) -> String {
    flags.join(" ")
}

/// Names are data, never paths; but names with control characters, empty levels or more
/// than 255 octets are refused (they break clients and logs).
fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.len() > 255
        || name.chars().any(char::is_control)
        || name.split('/').any(str::is_empty)
        || name.contains(['*', '%']);
    if bad {
        return Err(StoreError::Invalid(format!(
            "invalid mailbox name {name:?}"
        )));
    }
    Ok(())
}

pub(crate) fn u32_of(v: i64, what: &str) -> rusqlite::Result<u32> {
    u32::try_from(v).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("{what} out of range").into(),
        )
    })
}

const INFO: &str = "SELECT id, name, special_use, subscribed FROM mailboxes";

fn info_row(row: &rusqlite::Row) -> rusqlite::Result<MailboxInfo> {
    Ok(MailboxInfo {
        id: row.get(0)?,
        name: row.get(1)?,
        special_use: row.get(2)?,
        subscribed: row.get(3)?,
    })
}

fn mailbox_by_name(conn: &Connection, account: AccountId, name: &str) -> Result<MailboxInfo> {
    conn.prepare_cached(&format!("{INFO} WHERE account_id = ?1 AND name = ?2"))?
        .query_row(params![account, name], info_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no mailbox named {name}")))
}

pub(crate) fn owned(conn: &Connection, account: AccountId, mailbox: i64) -> Result<()> {
    conn.prepare_cached("SELECT 1 FROM mailboxes WHERE id = ?1 AND account_id = ?2")?
        .query_row(params![mailbox, account], |_| Ok(()))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))
}

fn snapshot(conn: &Connection, info: MailboxInfo) -> Result<MailboxSnapshot> {
    let (uid_validity, uid_next, highest_modseq, recent_uid) = conn
        .prepare_cached(
            "SELECT uid_validity, uid_next, highest_modseq, recent_uid
             FROM mailboxes WHERE id = ?1",
        )?
        .query_row([info.id], |row| {
            Ok((
                u32_of(row.get(0)?, "UIDVALIDITY")?,
                u32_of(row.get(1)?, "UIDNEXT")?,
                row.get::<_, i64>(2)? as u64,
                u32_of(row.get(3)?, "recent UID")?,
            ))
        })?;
    let messages = conn
        .prepare_cached(
            "SELECT uid, modseq, flags, internal_date, size FROM messages
             WHERE mailbox_id = ?1 ORDER BY uid",
        )?
        .query_map([info.id], |row| {
            Ok(MessageMeta {
                uid: u32_of(row.get(0)?, "UID")?,
                modseq: row.get::<_, i64>(1)? as u64,
                flags: parse_flags(&row.get::<_, String>(2)?),
                internal_date: row.get(3)?,
                size: row.get::<_, i64>(4)? as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(MailboxSnapshot {
        info,
        uid_validity,
        uid_next,
        highest_modseq,
        recent_uid,
        messages,
    })
}

/// Takes the next UID and MODSEQ of a mailbox.
fn next_uid(conn: &Connection, mailbox: i64) -> Result<(u32, u64)> {
    let (uid, modseq): (i64, i64) = conn
        .prepare_cached(
            "UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
             WHERE id = ?1 RETURNING uid_next - 1, highest_modseq",
        )?
        .query_row([mailbox], |row| Ok((row.get(0)?, row.get(1)?)))?;
    // RFC 9051 §2.3.1.1: UIDs are 32-bit.
    let uid = u32::try_from(uid)
        .map_err(|_| StoreError::Invalid("the mailbox has run out of message numbers".into()))?;
    Ok((uid, modseq as u64))
}

fn uid_validity(conn: &Connection, mailbox: i64) -> Result<u32> {
    let v: i64 = conn
        .prepare_cached("SELECT uid_validity FROM mailboxes WHERE id = ?1")?
        .query_row([mailbox], |row| row.get(0))?;
    u32::try_from(v).map_err(|_| internal_error("a UIDVALIDITY is out of range"))
}

impl Store {
    /// Every mailbox of the account, by name.
    pub async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>> {
        self.inner
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(&format!("{INFO} WHERE account_id = ?1 ORDER BY name"))?
                    .query_map([account], info_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    /// The mailbox `name` and its messages (SELECT, EXAMINE, STATUS).
    pub async fn mailbox_snapshot(
        &self,
        account: AccountId,
        name: &str,
    ) -> Result<MailboxSnapshot> {
        let name = name.to_string();
        self.read_snapshot(move |conn| mailbox_by_name(conn, account, &name))
            .await
    }

    /// The mailbox with row id `mailbox` (the account's) and its messages: a selected
    /// mailbox's state now, to compare with what a session has told its client.
    pub async fn mailbox_snapshot_by_id(
        &self,
        account: AccountId,
        mailbox: i64,
    ) -> Result<MailboxSnapshot> {
        self.read_snapshot(move |conn| {
            conn.prepare_cached(&format!("{INFO} WHERE id = ?1 AND account_id = ?2"))?
                .query_row(params![mailbox, account], info_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("mailbox {mailbox}")))
        })
        .await
    }

    /// The mailbox that `find` reads and its messages, in one read transaction so that the
    /// two agree.
    async fn read_snapshot<F>(&self, find: F) -> Result<MailboxSnapshot>
    where
        F: FnOnce(&Connection) -> Result<MailboxInfo> + Send + 'static,
    {
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let info = find(&tx)?;
            let snap = snapshot(&tx, info)?;
            tx.finish()?;
            Ok(snap)
        })
        .await
    }

    /// APPEND (RFC 9051 §6.3.12): stores the message in mailbox `name`; durable on return.
    /// Fails with [`StoreError::OverQuota`] if it does not fit the account's quota.
    pub async fn append(
        &self,
        account: AccountId,
        name: &str,
        message: Vec<u8>,
        flags: Vec<String>,
        internal_date: Option<i64>,
    ) -> Result<Placed> {
        let name = name.to_string();
        // Large bodies are hashed off the reactor, as deliver.rs does.
        let (message, hash) = if message.len() > 256 * 1024 {
            tokio::task::spawn_blocking(move || {
                let hash: [u8; 32] = Sha256::digest(&message).into();
                (message, hash)
            })
            .await
            .map_err(|_| internal_error("hashing the message failed"))?
        } else {
            let hash: [u8; 32] = Sha256::digest(&message).into();
            (message, hash)
        };
        self.inner
            .writer
            .write(move |conn, changes| {
                let info = mailbox_by_name(conn, account, &name)?;
                let size = i64::try_from(message.len())
                    .map_err(|_| StoreError::Invalid("the message is too large".into()))?;
                crate::quota::check(conn, account, size as u64)?;
                let blob = crate::deliver::store_blob(conn, &hash, size, &message)?;
                let (uid, modseq) = next_uid(conn, info.id)?;
                conn.prepare_cached(
                    "INSERT INTO messages (mailbox_id, uid, modseq, blob_id, flags, internal_date, size)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    info.id,
                    uid,
                    modseq as i64,
                    blob,
                    join_flags(&flags),
                    internal_date.unwrap_or_else(unix_now),
                    size
                ])?;
                changes.push(Change::MessageAdded {
                    account,
                    mailbox: info.id,
                    uid,
                    modseq,
                });
                Ok(Placed {
                    uid_validity: uid_validity(conn, info.id)?,
                    uids: vec![(0, uid)],
                })
            })
            .await
    }

    /// COPY or MOVE (RFC 9051 §6.4.7, RFC 6851): messages `uids` of `from` into mailbox `to`,
    /// with their flags and internal dates, in one durable job; MOVE deletes the originals
    /// in the same job. A COPY that does not fit the quota fails with
    /// [`StoreError::OverQuota`] and copies nothing.
    pub async fn copy_messages(
        &self,
        account: AccountId,
        from: i64,
        uids: Vec<u32>,
        to: &str,
        is_move: bool,
    ) -> Result<Placed> {
        let to = to.to_string();
        self.inner
            .writer
            .write(move |conn, changes| {
                owned(conn, account, from)?;
                let target = mailbox_by_name(conn, account, &to)?;
                let mut read = conn.prepare_cached(
                    "SELECT blob_id, flags, internal_date, size, sender FROM messages
                     WHERE mailbox_id = ?1 AND uid = ?2",
                )?;
                let mut insert = conn.prepare_cached(
                    "INSERT INTO messages (mailbox_id, uid, modseq, blob_id, flags, internal_date, size, sender)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                let mut placed = Vec::new();
                let mut blobs = Vec::new();
                for uid in uids {
                    let row = read
                        .query_row(params![from, uid], |row| {
                            Ok((
                                row.get::<_, i64>(0)?,
                                row.get::<_, String>(1)?,
                                row.get::<_, i64>(2)?,
                                row.get::<_, i64>(3)?,
                                row.get::<_, String>(4)?,
                            ))
                        })
                        .optional()?;
                    let Some((blob, flags, date, size, sender)) = row else {
                        continue;
                    };
                    let (new_uid, modseq) = next_uid(conn, target.id)?;
                    insert.execute(params![
                        target.id,
                        new_uid,
                        modseq as i64,
                        blob,
                        flags,
                        date,
                        size,
                        sender
                    ])?;
                    changes.push(Change::MessageAdded {
                        account,
                        mailbox: target.id,
                        uid: new_uid,
                        modseq,
                    });
                    placed.push((uid, new_uid));
                    blobs.push(blob);
                }
                crate::junk::queue_training(
                    conn,
                    account,
                    from,
                    target.special_use.as_deref(),
                    &blobs,
                    changes,
                )?;
                // A MOVE within the account leaves its usage as it was; a COPY must fit. The
                // copies are already inserted: an error rolls this job back.
                if !is_move && !placed.is_empty() {
                    crate::quota::check(conn, account, 0)?;
                }
                if is_move {
                    let moved: Vec<u32> = placed.iter().map(|p| p.0).collect();
                    crate::maildrop::delete(conn, account, from, &moved, changes)?;
                }
                Ok(Placed {
                    uid_validity: uid_validity(conn, target.id)?,
                    uids: placed,
                })
            })
            .await
    }

    /// EXPUNGE (RFC 9051 §6.4.3): deletes the messages of `mailbox` flagged `\Deleted`, only
    /// among `uids` if given (UID EXPUNGE, RFC 4315 §2.1). Returns the UIDs deleted.
    pub async fn expunge(
        &self,
        account: AccountId,
        mailbox: i64,
        uids: Option<Vec<u32>>,
    ) -> Result<Vec<u32>> {
        self.inner
            .writer
            .write(move |conn, changes| {
                owned(conn, account, mailbox)?;
                let flagged: Vec<u32> = conn
                    .prepare_cached(
                        "SELECT uid, flags FROM messages WHERE mailbox_id = ?1 ORDER BY uid",
                    )?
                    .query_map([mailbox], |row| {
                        Ok((u32_of(row.get(0)?, "UID")?, row.get::<_, String>(1)?))
                    })?
                    .filter_map(|r| match r {
                        Ok((uid, flags)) => parse_flags(&flags)
                            .iter()
                            .any(|f| f.eq_ignore_ascii_case("\\Deleted"))
                            .then_some(Ok(uid)),
                        Err(e) => Some(Err(e)),
                    })
                    .collect::<rusqlite::Result<_>>()?;
                let gone: Vec<u32> = match &uids {
                    Some(only) => flagged.into_iter().filter(|u| only.contains(u)).collect(),
                    None => flagged,
                };
                crate::maildrop::delete(conn, account, mailbox, &gone, changes)?;
                Ok(gone)
            })
            .await
    }

    /// CREATE (RFC 9051 §6.3.4). A fresh UIDVALIDITY, larger than any the account had, so a
    /// name deleted and created again never matches a client's cache. Not subscribed: only
    /// SUBSCRIBE adds a name to the subscriptions (RFC 3501 §6.3.6), as Dovecot does; the
    /// account's own INBOX and special-use mailboxes start subscribed (`admin.rs`).
    pub async fn create_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        check_name(name)?;
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let exists = conn
                    .prepare_cached("SELECT 1 FROM mailboxes WHERE account_id = ?1 AND name = ?2")?
                    .query_row(params![account, name], |_| Ok(()))
                    .optional()?;
                if exists.is_some() || name.eq_ignore_ascii_case("INBOX") {
                    return Err(StoreError::AlreadyExists(format!("mailbox {name} exists")));
                }
                conn.prepare_cached(
                    "INSERT INTO mailboxes (account_id, name, uid_validity, subscribed)
                     VALUES (?1, ?2, max(?3,
                         (SELECT coalesce(max(uid_validity), 0) + 1
                          FROM mailboxes WHERE account_id = ?1),
                         (SELECT uid_validity_floor + 1 FROM accounts WHERE id = ?1)), 0)",
                )?
                .execute(params![account, name, unix_now()])?;
                // A name still subscribed from before its deletion is a subscribed mailbox
                // again.
                let was_subscribed = conn
                    .prepare_cached(
                        "DELETE FROM lost_subscriptions WHERE account_id = ?1 AND name = ?2",
                    )?
                    .execute(params![account, name])?;
                if was_subscribed > 0 {
                    conn.prepare_cached(
                        "UPDATE mailboxes SET subscribed = 1 WHERE account_id = ?1 AND name = ?2",
                    )?
                    .execute(params![account, name])?;
                }
                Ok(())
            })
            .await
    }

    /// DELETE (RFC 9051 §6.3.5): the mailbox and its messages. INBOX cannot be deleted.
    pub async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(StoreError::Invalid("INBOX cannot be deleted".into()));
        }
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let info = mailbox_by_name(conn, account, &name)?;
                // Remembered, so a mailbox created under this name again gets a larger
                // UIDVALIDITY (RFC 3501 §2.3.1.1).
                conn.prepare_cached(
                    "UPDATE accounts SET uid_validity_floor = max(uid_validity_floor,
                         (SELECT uid_validity FROM mailboxes WHERE id = ?2))
                     WHERE id = ?1",
                )?
                .execute(params![account, info.id])?;
                // RFC 3501 §6.3.6: the subscription outlives the mailbox.
                if info.subscribed {
                    conn.prepare_cached(
                        "INSERT OR IGNORE INTO lost_subscriptions (account_id, name)
                         VALUES (?1, ?2)",
                    )?
                    .execute(params![account, info.name])?;
                }
                // Message rows cascade; the blob triggers drop unreferenced bodies.
                conn.prepare_cached("DELETE FROM mailboxes WHERE id = ?1")?
                    .execute([info.id])?;
                Ok(())
            })
            .await
    }

    /// RENAME (RFC 9051 §6.3.6), with its inferior names. Renaming INBOX is not supported.
    pub async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()> {
        check_name(to)?;
        if from.eq_ignore_ascii_case("INBOX") || to.eq_ignore_ascii_case("INBOX") {
            return Err(StoreError::Invalid("INBOX cannot be renamed".into()));
        }
        let (from, to) = (from.to_string(), to.to_string());
        self.inner
            .writer
            .write(move |conn, _| {
                mailbox_by_name(conn, account, &from)?;
                if mailbox_by_name(conn, account, &to).is_ok() {
                    return Err(StoreError::AlreadyExists(format!("mailbox {to} exists")));
                }
                conn.prepare_cached(
                    "UPDATE mailboxes SET name = ?3 WHERE account_id = ?1 AND name = ?2",
                )?
                .execute(params![account, from, to])?;
                // Children: "from/x" becomes "to/x".
                conn.prepare_cached(
                    "UPDATE mailboxes SET name = ?3 || substr(name, length(?2) + 1)
                     WHERE account_id = ?1 AND substr(name, 1, length(?2) + 1) = ?2 || '/'",
                )?
                .execute(params![account, from, to])?;
                Ok(())
            })
            .await
    }

    /// RFC 3501 §2.3.2: this session is the first to be told about the messages from the
    /// mailbox's `recent_uid` up to its `uid_next`; they are \Recent to it and to no other
    /// session. Returns the UIDs claimed, `from..to` (empty when none were new).
    pub async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: i64,
    ) -> Result<std::ops::Range<u32>> {
        self.inner
            .writer
            .write(move |conn, _| {
                owned(conn, account, mailbox)?;
                let (from, to) = conn
                    .prepare_cached("SELECT recent_uid, uid_next FROM mailboxes WHERE id = ?1")?
                    .query_row([mailbox], |row| {
                        Ok((
                            u32_of(row.get(0)?, "recent UID")?,
                            u32_of(row.get(1)?, "UIDNEXT")?,
                        ))
                    })?;
                if from < to {
                    conn.prepare_cached("UPDATE mailboxes SET recent_uid = ?2 WHERE id = ?1")?
                        .execute(params![mailbox, to])?;
                }
                Ok(from..to.max(from))
            })
            .await
    }

    /// SUBSCRIBE / UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).
    pub async fn set_subscribed(&self, account: AccountId, name: &str, on: bool) -> Result<()> {
        let name = name.to_string();
        self.inner
            .writer
            .write(move |conn, _| {
                let n = conn
                    .prepare_cached(
                        "UPDATE mailboxes SET subscribed = ?3 WHERE account_id = ?1 AND name = ?2",
                    )?
                    .execute(params![account, name, on])?;
                // UNSUBSCRIBE also removes a subscription whose mailbox was deleted.
                let lost = if on {
                    0
                } else {
                    conn.prepare_cached(
                        "DELETE FROM lost_subscriptions WHERE account_id = ?1 AND name = ?2",
                    )?
                    .execute(params![account, name])?
                };
                if n == 0 && lost == 0 {
                    return Err(StoreError::NotFound(format!("no mailbox named {name}")));
                }
                Ok(())
            })
            .await
    }

    /// The names subscribed when their mailbox was deleted (RFC 3501 §6.3.6), by name.
    pub async fn lost_subscriptions(&self, account: AccountId) -> Result<Vec<String>> {
        self.inner
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT name FROM lost_subscriptions WHERE account_id = ?1 ORDER BY name",
                    )?
                    .query_map([account], |row| row.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .await
    }
}
