//! IMAP message summaries on disk (migration 7): the IMAP crate's serialised ENVELOPE, BODY
//! and BODYSTRUCTURE of a message, so that the first FETCH after a restart reads them instead
//! of parsing every message (Dovecot keeps `dovecot.index.cache` for the same purpose).
//!
//! The bytes are opaque here. A summary is a function of the message's bytes, which never
//! change (RFC 9051 §2.3.1.1), so it is kept per blob: copies share it, and it is deleted with
//! the blob (ON DELETE CASCADE) when the last message using it is expunged. Each row holds
//! both flavours (`utf8`: strings as UTF-8, RFC 6855; otherwise RFC 2047 encoded words) and
//! the format `version` the caller wrote; a read asks for one version and sees no row of
//! another, and a write of a new version clears the other flavour's stale bytes.

use std::collections::HashSet;

use rusqlite::{Connection, params};

use crate::{Result, Store};

/// A UID and its summary bytes.
pub type SummaryRow = (u32, Vec<u8>);

/// The column of a flavour, and the other one.
fn columns(utf8: bool) -> (&'static str, &'static str) {
    if utf8 {
        ("utf8", "encoded")
    } else {
        ("encoded", "utf8")
    }
}

impl Store {
    /// The stored summaries of messages `uids` of `mailbox` in flavour `utf8` and format
    /// `version`, in UID order; UIDs without one (never summarised, another version, or
    /// expunged) are left out.
    pub async fn summaries(
        &self,
        mailbox: i64,
        mut uids: Vec<u32>,
        utf8: bool,
        version: u32,
    ) -> Result<Vec<SummaryRow>> {
        uids.sort_unstable();
        uids.dedup();
        let (Some(&first), Some(&last)) = (uids.first(), uids.last()) else {
            return Ok(Vec::new());
        };
        self.inner
            .readers
            .read(move |conn| {
                let (column, _) = columns(utf8);
                let select = format!(
                    "SELECT m.uid, s.{column} FROM messages m JOIN summaries s ON s.blob_id = m.blob_id \
                     WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 AND s.version = ?4 \
                     AND s.{column} IS NOT NULL ORDER BY m.uid"
                );
                let mut stmt = conn.prepare_cached(&select)?;
                // Mostly contiguous UIDs (FETCH 1:*) take one range scan; scattered ones
                // (FETCH 1,5000) one look-up each, so a wide range is not read for a few.
                let span = u64::from(last - first) + 1;
                let ranges: Vec<(u32, u32)> = if span <= 2 * uids.len() as u64 {
                    vec![(first, last)]
                } else {
                    uids.iter().map(|&u| (u, u)).collect()
                };
                let wanted: HashSet<u32> = uids.iter().copied().collect();
                let mut found = Vec::new();
                for (lo, hi) in ranges {
                    let rows = stmt.query_map(params![mailbox, lo, hi, version], |row| {
                        Ok((row.get::<_, u32>(0)?, row.get::<_, Vec<u8>>(1)?))
                    })?;
                    for row in rows {
                        let (uid, bytes) = row?;
                        if wanted.contains(&uid) {
                            found.push((uid, bytes));
                        }
                    }
                }
                Ok(found)
            })
            .await
    }

    /// Keeps the summaries of messages of `mailbox` (flavour `utf8`, format `version`) in one
    /// write; a message expunged meanwhile gets none. A cache, so the caller need not wait.
    pub async fn put_summaries(
        &self,
        mailbox: i64,
        utf8: bool,
        version: u32,
        rows: Vec<SummaryRow>,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.inner
            .writer
            .write(move |conn, _| put(conn, mailbox, utf8, version, &rows))
            .await
    }
}

fn put(
    conn: &Connection,
    mailbox: i64,
    utf8: bool,
    version: u32,
    rows: &[SummaryRow],
) -> Result<()> {
    let (column, other) = columns(utf8);
    // The WHERE keeps SQLite's parser from reading ON CONFLICT as a join's ON. In DO UPDATE
    // the bare names are the old row's: the other flavour stays only if its version does.
    let upsert = format!(
        "INSERT INTO summaries (blob_id, version, {column}) \
         SELECT blob_id, ?3, ?4 FROM messages WHERE mailbox_id = ?1 AND uid = ?2 \
         ON CONFLICT (blob_id) DO UPDATE SET {column} = excluded.{column}, \
         {other} = CASE WHEN version = excluded.version THEN {other} END, \
         version = excluded.version"
    );
    let mut stmt = conn.prepare_cached(&upsert)?;
    for (uid, bytes) in rows {
        stmt.execute(params![mailbox, uid, version, bytes])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{DB, store_with_account};

    async fn store_with(messages: &[&[u8]]) -> Result<(tempfile::TempDir, Store, i64, i64)> {
        let (dir, store, account) = store_with_account("a@example.test").await?;
        for m in messages {
            store
                .append(account, "INBOX", m.to_vec(), vec![], None)
                .await?;
        }
        let inbox = store.mailbox_snapshot(account, "INBOX").await?.info.id;
        Ok((dir, store, account, inbox))
    }

    fn rows(dir: &tempfile::TempDir) -> Result<i64> {
        let conn = Connection::open(dir.path().join(DB))?;
        Ok(conn.query_row("SELECT count(*) FROM summaries", [], |r| r.get(0))?)
    }

    #[tokio::test]
    async fn written_read_by_flavour_and_version_and_deleted_with_the_message() -> Result<()> {
        let (dir, store, account, inbox) =
            store_with(&[b"Subject: one\r\n\r\n1\r\n", b"Subject: two\r\n\r\n2\r\n"]).await?;
        store
            .put_summaries(
                inbox,
                false,
                1,
                vec![(1, b"e1".to_vec()), (2, b"e2".to_vec())],
            )
            .await?;
        store
            .put_summaries(inbox, true, 1, vec![(1, b"u1".to_vec())])
            .await?;
        // A UID that does not exist gets nothing.
        store
            .put_summaries(inbox, false, 1, vec![(9, b"x".to_vec())])
            .await?;
        assert_eq!(rows(&dir)?, 2);
        assert_eq!(
            store.summaries(inbox, vec![2, 1, 9], false, 1).await?,
            vec![(1, b"e1".to_vec()), (2, b"e2".to_vec())]
        );
        assert_eq!(
            store.summaries(inbox, vec![1, 2], true, 1).await?,
            vec![(1, b"u1".to_vec())]
        );
        // Scattered UIDs are looked up one by one, with the same answer.
        assert_eq!(
            store.summaries(inbox, vec![2, 1000], false, 1).await?,
            vec![(2, b"e2".to_vec())]
        );

        // Another format version: old rows are not read; writing replaces them and drops the
        // other flavour of the old version.
        assert!(
            store
                .summaries(inbox, vec![1, 2], false, 2)
                .await?
                .is_empty()
        );
        store
            .put_summaries(inbox, false, 2, vec![(1, b"E1".to_vec())])
            .await?;
        assert_eq!(
            store.summaries(inbox, vec![1], false, 2).await?,
            vec![(1, b"E1".to_vec())]
        );
        assert!(store.summaries(inbox, vec![1], true, 2).await?.is_empty());
        assert!(store.summaries(inbox, vec![1], true, 1).await?.is_empty());

        // Expunged: the row goes in the same transaction.
        store
            .store_flags(
                account,
                inbox,
                vec![1],
                crate::FlagOp::Add,
                vec!["\\Deleted".into()],
                None,
            )
            .await?;
        assert_eq!(store.expunge(account, inbox, None).await?, vec![1]);
        assert_eq!(rows(&dir)?, 1);
        assert!(store.summaries(inbox, vec![1], false, 2).await?.is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn copies_share_the_summary_until_the_last_goes() -> Result<()> {
        let (dir, store, account, inbox) = store_with(&[b"Subject: same\r\n\r\nx\r\n"]).await?;
        store
            .append(
                account,
                "Sent",
                b"Subject: same\r\n\r\nx\r\n".to_vec(),
                vec![],
                None,
            )
            .await?;
        let sent = store.mailbox_snapshot(account, "Sent").await?.info.id;
        store
            .put_summaries(inbox, false, 1, vec![(1, b"s".to_vec())])
            .await?;
        assert_eq!(
            store.summaries(sent, vec![1], false, 1).await?,
            vec![(1, b"s".to_vec())]
        );
        store.delete_messages(account, inbox, vec![1]).await?;
        assert_eq!(rows(&dir)?, 1);
        store.delete_messages(account, sent, vec![1]).await?;
        assert_eq!(rows(&dir)?, 0);
        Ok(())
    }
}
