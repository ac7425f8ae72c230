//! POP3's view of an account: the INBOX as a snapshot (a maildrop), message bodies (small
//! ones whole and several at a time, large ones streamed in chunks), and the deletion of the
//! marked messages at QUIT in one durable job.

use rusqlite::{Connection, MAIN_DB, OptionalExtension, params};
use tokio::sync::mpsc;

use crate::writer::internal_error;
use crate::{AccountId, Change, Result, Store, StoreError};

/// How much of a message body one read takes.
pub const CHUNK: usize = 64 * 1024;

/// An account's INBOX as it was when the snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maildrop {
    /// The INBOX's row id.
    pub mailbox: i64,
    /// The INBOX's UIDVALIDITY: with a UID it names a message for good (RFC 9051 §2.3.1.1).
    pub uid_validity: u32,
    /// The messages in UID order.
    pub messages: Vec<MaildropMessage>,
}

/// One message of a [`Maildrop`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaildropMessage {
    pub uid: u32,
    /// Its size in octets, exactly as stored (CRLF line ends).
    pub size: u64,
}

impl Store {
    /// The account's INBOX now.
    pub async fn maildrop(&self, account: AccountId) -> Result<Maildrop> {
        self.inner
            .readers
            .read(move |conn| {
                // One read transaction: the mailbox row and its messages from one snapshot.
                let tx = conn.unchecked_transaction()?;
                let (mailbox, uid_validity) = tx
                    .prepare_cached(
                        "SELECT id, uid_validity FROM mailboxes
                         WHERE account_id = ?1 AND name = 'INBOX'",
                    )?
                    .query_row([account], |row| {
                        Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                    })
                    .optional()?
                    .ok_or_else(|| {
                        StoreError::NotFound(format!("account {account} has no INBOX"))
                    })?;
                let uid_validity = u32::try_from(uid_validity)
                    .map_err(|_| internal_error("a UIDVALIDITY is out of range"))?;
                let mut stmt = tx.prepare_cached(
                    "SELECT uid, size FROM messages WHERE mailbox_id = ?1 ORDER BY uid",
                )?;
                let messages = stmt
                    .query_map([mailbox], |row| {
                        Ok(MaildropMessage {
                            uid: row.get(0)?,
                            size: row.get(1)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                drop(stmt);
                tx.finish()?;
                Ok(Maildrop {
                    mailbox,
                    uid_validity,
                    messages,
                })
            })
            .await
    }

    /// The body of message `uid` of `mailbox`, `size` octets, in chunks of up to [`CHUNK`].
    pub fn message_chunks(&self, mailbox: i64, uid: u32, size: u64) -> MessageChunks {
        MessageChunks {
            store: self.clone(),
            mailbox,
            uid,
            size,
            source: Source::Start,
        }
    }

    /// The bodies of messages `uids` of `mailbox` in one pooled read (one snapshot), in order;
    /// `None` for one deleted since the snapshot. For small messages: each is held whole.
    pub async fn read_messages(
        &self,
        mailbox: i64,
        uids: Vec<u32>,
    ) -> Result<Vec<Option<Vec<u8>>>> {
        self.inner
            .readers
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let mut stmt = tx.prepare_cached(BODY)?;
                let bodies = uids
                    .iter()
                    .map(|uid| {
                        stmt.query_row(params![mailbox, uid], |row| row.get(0))
                            .optional()
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                drop(stmt);
                tx.finish()?;
                Ok(bodies)
            })
            .await
    }

    /// Deletes the messages `uids` of `mailbox` (the account's) in one durable job; those
    /// already gone are skipped. Bumps the mailbox's HIGHESTMODSEQ and announces
    /// [`Change::MessagesExpunged`]. Returns how many were deleted.
    pub async fn delete_messages(
        &self,
        account: AccountId,
        mailbox: i64,
        uids: Vec<u32>,
    ) -> Result<usize> {
        self.inner
            .writer
            .write(move |conn, changes| delete(conn, account, mailbox, &uids, changes))
            .await
    }
}

/// The writer's part of [`Store::delete_messages`]; IMAP's EXPUNGE and MOVE use it too.
pub(crate) fn delete(
    conn: &Connection,
    account: AccountId,
    mailbox: i64,
    uids: &[u32],
    changes: &mut Vec<Change>,
) -> Result<usize> {
    let owned = conn
        .prepare_cached("SELECT 1 FROM mailboxes WHERE id = ?1 AND account_id = ?2")?
        .query_row(params![mailbox, account], |_| Ok(()))
        .optional()?;
    if owned.is_none() {
        return Err(StoreError::NotFound(format!(
            "mailbox {mailbox} of account {account}"
        )));
    }
    // The blob refcount triggers drop each body with its last reference.
    let mut remove =
        conn.prepare_cached("DELETE FROM messages WHERE mailbox_id = ?1 AND uid = ?2")?;
    let mut gone = Vec::with_capacity(uids.len());
    for &uid in uids {
        if remove.execute(params![mailbox, uid])? > 0 {
            gone.push(uid);
        }
    }
    if gone.is_empty() {
        return Ok(0);
    }
    let modseq = crate::modseq::next_modseq(conn, mailbox)?;
    // RFC 7162 §3.2.10: remembered for QRESYNC's VANISHED (EARLIER) (`modseq.rs`).
    let mut record = conn.prepare_cached(
        "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?1, ?2, ?3)",
    )?;
    for &uid in &gone {
        record.execute(params![mailbox, uid, modseq as i64])?;
    }
    crate::modseq::forget_old_expunges(conn, mailbox, crate::modseq::EXPUNGED_KEPT)?;
    let count = gone.len();
    changes.push(Change::MessagesExpunged {
        account,
        mailbox,
        uids: gone,
        modseq,
    });
    Ok(count)
}

/// A message body, a chunk at a time.
///
/// A message that fits in one chunk is one short read on the pool. A larger one is streamed
/// by a blocking thread through ONE blob handle on a connection of its own (reopening the
/// blob per chunk would walk SQLite's overflow-page chain from the start each time: quadratic
/// in the size), a few chunks ahead of the caller; so a slow client holds no pooled
/// connection, and memory stays at a few chunks.
pub struct MessageChunks {
    store: Store,
    mailbox: i64,
    uid: u32,
    size: u64,
    source: Source,
}

enum Source {
    /// Nothing read yet.
    Start,
    /// Chunks from the streaming thread; the channel closes after the last.
    Stream(mpsc::Receiver<Result<Vec<u8>>>),
    /// All of it was handed out.
    Done,
}

/// How many chunks the streaming thread may read ahead.
const AHEAD: usize = 2;

impl MessageChunks {
    /// The next chunk, or `None` after the last. [`StoreError::NotFound`] when the message
    /// was deleted (by another session) since the snapshot.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>> {
        loop {
            match &mut self.source {
                Source::Done => return Ok(None),
                Source::Start if self.size <= CHUNK as u64 => {
                    self.source = Source::Done;
                    if self.size == 0 {
                        return Ok(None);
                    }
                    let (mailbox, uid, len) = (self.mailbox, self.uid, self.size as usize);
                    let chunk = self
                        .store
                        .inner
                        .readers
                        .read(move |conn| read_whole(conn, mailbox, uid, len))
                        .await?;
                    return Ok(Some(chunk));
                }
                Source::Start => {
                    let conn = self.store.inner.readers.open_unpooled()?;
                    let (sender, receiver) = mpsc::channel(AHEAD);
                    let (mailbox, uid, size) = (self.mailbox, self.uid, self.size);
                    tokio::task::spawn_blocking(move || {
                        if let Err(e) = stream(&conn, mailbox, uid, size, &sender) {
                            // The receiver may be gone; then nobody needs to hear of it.
                            let _ = sender.blocking_send(Err(e));
                        }
                    });
                    self.source = Source::Stream(receiver);
                }
                Source::Stream(receiver) => {
                    return match receiver.recv().await {
                        Some(chunk) => chunk.map(Some),
                        None => {
                            self.source = Source::Done;
                            Ok(None)
                        }
                    };
                }
            }
        }
    }
}

/// The blob row of a message, inside the caller's read transaction.
fn blob_of(conn: &Connection, mailbox: i64, uid: u32) -> Result<i64> {
    conn.prepare_cached("SELECT blob_id FROM messages WHERE mailbox_id = ?1 AND uid = ?2")?
        .query_row(params![mailbox, uid], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("message {uid} was deleted")))
}

/// A message's body, whole.
const BODY: &str = "SELECT b.data FROM messages m JOIN blobs b ON b.id = m.blob_id
                    WHERE m.mailbox_id = ?1 AND m.uid = ?2";

/// A small message in one read: one statement, so one snapshot.
fn read_whole(conn: &Connection, mailbox: i64, uid: u32, len: usize) -> Result<Vec<u8>> {
    let data: Vec<u8> = conn
        .prepare_cached(BODY)?
        .query_row(params![mailbox, uid], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("message {uid} was deleted")))?;
    if data.len() != len {
        return Err(internal_error("a message's size differs from its record"));
    }
    Ok(data)
}

/// The streaming thread: reads the blob through one handle, in one read transaction (the
/// snapshot keeps the blob whole even if the message is deleted meanwhile), and sends each
/// chunk as soon as the channel has room. Stops early when the receiver is gone.
fn stream(
    conn: &Connection,
    mailbox: i64,
    uid: u32,
    size: u64,
    sender: &mpsc::Sender<Result<Vec<u8>>>,
) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    let body = tx.blob_open(
        MAIN_DB,
        c"blobs",
        c"data",
        blob_of(&tx, mailbox, uid)?,
        true,
    )?;
    if body.len() as u64 != size {
        return Err(internal_error("a message's size differs from its record"));
    }
    let mut offset = 0;
    while offset < body.len() {
        let len = CHUNK.min(body.len() - offset);
        let mut chunk = vec![0; len];
        body.read_at_exact(&mut chunk, offset)?;
        offset += len;
        if sender.blocking_send(Ok(chunk)).is_err() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Delivery;
    use crate::fixture::store_with_account;

    struct Fixture {
        store: Store,
        account: AccountId,
        dir: tempfile::TempDir,
    }

    async fn fixture() -> Result<Fixture> {
        let (dir, store, account) = store_with_account("alice@example.test").await?;
        Ok(Fixture {
            store,
            account,
            dir,
        })
    }

    async fn deliver(f: &Fixture, message: Vec<u8>) -> Result<()> {
        f.store
            .deliver(Delivery::inbound(
                "sender@remote.test",
                message,
                vec![f.account],
            ))
            .await
    }

    async fn read_all(store: &Store, mailbox: i64, m: MaildropMessage) -> Result<Vec<u8>> {
        let mut chunks = store.message_chunks(mailbox, m.uid, m.size);
        let mut body = Vec::new();
        while let Some(chunk) = chunks.next().await? {
            assert!(chunk.len() <= CHUNK);
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn count(f: &Fixture, sql: &str) -> Result<i64> {
        let conn = Connection::open(f.dir.path().join(crate::fixture::DB))?;
        Ok(conn.query_row(sql, [], |row| row.get(0))?)
    }

    #[tokio::test]
    async fn snapshot_lists_the_inbox_in_uid_order_and_later_mail_is_not_in_it() -> Result<()> {
        let f = fixture().await?;
        deliver(&f, b"Subject: 1\r\n\r\none\r\n".to_vec()).await?;
        deliver(&f, b"Subject: 2\r\n\r\ntwo!\r\n".to_vec()).await?;
        let drop = f.store.maildrop(f.account).await?;
        assert_eq!(
            drop.messages,
            vec![
                MaildropMessage { uid: 1, size: 19 },
                MaildropMessage { uid: 2, size: 20 }
            ]
        );
        deliver(&f, b"Subject: 3\r\n\r\n3\r\n".to_vec()).await?;
        assert_eq!(drop.messages.len(), 2);
        assert_eq!(f.store.maildrop(f.account).await?.messages.len(), 3);
        Ok(())
    }

    #[tokio::test]
    async fn a_large_body_comes_back_byte_exact_in_chunks() -> Result<()> {
        let f = fixture().await?;
        let mut message = b"Subject: big\r\n\r\n".to_vec();
        while message.len() < 3 * CHUNK + 123 {
            message.extend_from_slice(format!("line {}\r\n", message.len()).as_bytes());
        }
        deliver(&f, message.clone()).await?;
        let drop = f.store.maildrop(f.account).await?;
        assert_eq!(
            read_all(&f.store, drop.mailbox, drop.messages[0]).await?,
            message
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_large_body_being_streamed_survives_its_deletion() -> Result<()> {
        let f = fixture().await?;
        let message: Vec<u8> = (0..5 * CHUNK).map(|i| b"abcdefgh\r\n"[i % 10]).collect();
        deliver(&f, message.clone()).await?;
        let drop = f.store.maildrop(f.account).await?;
        let m = drop.messages[0];
        let mut chunks = f.store.message_chunks(drop.mailbox, m.uid, m.size);
        let mut body = chunks.next().await?.unwrap_or_default();
        // Deleted while streaming: the stream reads from its snapshot and finishes.
        f.store
            .delete_messages(f.account, drop.mailbox, vec![m.uid])
            .await?;
        while let Some(chunk) = chunks.next().await? {
            body.extend_from_slice(&chunk);
        }
        assert!(body == message);
        Ok(())
    }

    #[tokio::test]
    async fn read_messages_returns_bodies_in_order_and_none_for_deleted_ones() -> Result<()> {
        let f = fixture().await?;
        deliver(&f, b"Subject: 1\r\n\r\none\r\n".to_vec()).await?;
        deliver(&f, b"Subject: 2\r\n\r\ntwo\r\n".to_vec()).await?;
        let drop = f.store.maildrop(f.account).await?;
        f.store
            .delete_messages(f.account, drop.mailbox, vec![1])
            .await?;
        let bodies = f.store.read_messages(drop.mailbox, vec![2, 1, 7]).await?;
        assert_eq!(
            bodies,
            vec![Some(b"Subject: 2\r\n\r\ntwo\r\n".to_vec()), None, None]
        );
        Ok(())
    }

    #[tokio::test]
    async fn delete_removes_rows_and_blobs_bumps_modseq_and_announces_it() -> Result<()> {
        let f = fixture().await?;
        deliver(&f, b"Subject: 1\r\n\r\none\r\n".to_vec()).await?;
        deliver(&f, b"Subject: 2\r\n\r\ntwo\r\n".to_vec()).await?;
        let drop = f.store.maildrop(f.account).await?;
        let before = count(
            &f,
            "SELECT highest_modseq FROM mailboxes WHERE name = 'INBOX'",
        )?;
        let mut changes = f.store.subscribe();
        // UID 9 never existed: skipped.
        let n = f
            .store
            .delete_messages(f.account, drop.mailbox, vec![1, 9])
            .await?;
        assert_eq!(n, 1);
        assert_eq!(count(&f, "SELECT count(*) FROM messages")?, 1);
        assert_eq!(count(&f, "SELECT count(*) FROM blobs")?, 1);
        let after = count(
            &f,
            "SELECT highest_modseq FROM mailboxes WHERE name = 'INBOX'",
        )?;
        assert_eq!(after, before + 1);
        assert_eq!(
            changes.try_recv().ok(),
            Some(Change::MessagesExpunged {
                account: f.account,
                mailbox: drop.mailbox,
                uids: vec![1],
                modseq: after as u64,
            })
        );
        // A deleted message can no longer be read.
        let err = read_all(&f.store, drop.mailbox, drop.messages[0]).await;
        assert!(matches!(err, Err(StoreError::NotFound(_))), "{err:?}");
        // Another account's mailbox id is refused.
        let other = f
            .store
            .add_account("bob@example.test", "correct horse battery")
            .await?;
        let err = f.store.delete_messages(other, drop.mailbox, vec![2]).await;
        assert!(matches!(err, Err(StoreError::NotFound(_))), "{err:?}");
        assert_eq!(count(&f, "SELECT count(*) FROM messages")?, 1);
        Ok(())
    }
}
