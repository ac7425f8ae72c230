//! MODSEQs for CONDSTORE/QRESYNC: STORE with UNCHANGEDSINCE, and expunged UIDs by MODSEQ.

mod common;

use common::{PASSWORD, TestStore};
use store::{FlagOp, Vanished};

#[tokio::test]
async fn unchanged_since_leaves_newer_messages_alone() -> store::Result<()> {
    let (t, a) = TestStore::with_account("a@example.test").await?;
    for body in [&b"one\r\n"[..], b"two\r\n"] {
        t.store
            .append(a, "INBOX", body.to_vec(), vec![], None)
            .await?;
    }
    let snap = t.store.mailbox_snapshot(a, "INBOX").await?;
    let (m1, m2) = (snap.messages[0].modseq, snap.messages[1].modseq);
    assert!(m1 < m2 && m2 == snap.highest_modseq);

    // Message 2 changed after m1: only message 1 is stored.
    let seen = vec!["\\Seen".to_string()];
    let done = t
        .store
        .store_flags(
            a,
            snap.info.id,
            vec![1, 2],
            FlagOp::Add,
            seen.clone(),
            Some(m1),
        )
        .await?;
    assert_eq!(done.modified, vec![2]);
    assert_eq!(done.updates.len(), 1);
    assert_eq!(done.updates[0].uid, 1);
    assert!(done.updates[0].modseq > m2);
    // Without UNCHANGEDSINCE, flags already set change nothing and take no MODSEQ.
    let again = t
        .store
        .store_flags(a, snap.info.id, vec![1], FlagOp::Add, seen, None)
        .await?;
    assert!(again.updates.is_empty() && again.modified.is_empty());
    Ok(())
}

#[tokio::test]
async fn expunged_uids_are_found_by_the_modseq_of_their_expunge() -> store::Result<()> {
    let (t, a) = TestStore::with_account("a@example.test").await?;
    for i in 0..4 {
        t.store
            .append(
                a,
                "INBOX",
                format!("m{i}\r\n").into_bytes(),
                vec!["\\Deleted".into()],
                None,
            )
            .await?;
    }
    let id = t.store.mailbox_snapshot(a, "INBOX").await?.info.id;
    t.store.expunge(a, id, Some(vec![1, 2])).await?;
    let between = t.store.mailbox_snapshot(a, "INBOX").await?.highest_modseq;
    // POP3's deletion path records too.
    t.store.delete_messages(a, id, vec![4]).await?;
    let exact = |uids: Vec<u32>| Vanished { uids, exact: true };
    assert_eq!(
        t.store.vanished_since(a, id, 0).await?,
        exact(vec![1, 2, 4])
    );
    assert_eq!(
        t.store.vanished_since(a, id, between).await?,
        exact(vec![4])
    );
    let now = t.store.mailbox_snapshot(a, "INBOX").await?.highest_modseq;
    assert_eq!(t.store.vanished_since(a, id, now).await?, exact(vec![]));
    // Another account's mailbox is not found.
    let b = t.store.add_account("b@example.test", PASSWORD).await?;
    assert!(t.store.vanished_since(b, id, 0).await.is_err());
    Ok(())
}

/// The expunge record is bounded (1000 UIDs a mailbox, `modseq.rs`): the oldest are forgotten
/// in the expunge's transaction, and a MODSEQ from before them gets every UID below UIDNEXT
/// not in the mailbox instead (RFC 7162 §3.2.6), which covers the ones really expunged.
#[tokio::test]
async fn the_expunge_record_stays_bounded_and_older_modseqs_get_a_superset() -> store::Result<()> {
    let (t, a) = TestStore::with_account("a@example.test").await?;
    t.store
        .append(a, "INBOX", b"m\r\n".to_vec(), vec![], None)
        .await?;
    let id = t.store.mailbox_snapshot(a, "INBOX").await?.info.id;
    // COPY doubles the mailbox: 2048 messages, UIDs 1 to 2048.
    for _ in 0..11 {
        let uids = t.store.mailbox_snapshot(a, "INBOX").await?.messages;
        let uids = uids.iter().map(|m| m.uid).collect();
        t.store.copy_messages(a, id, uids, "INBOX", false).await?;
    }
    let rows =
        |t: &TestStore| t.query_i64("SELECT count(*) FROM expunged WHERE mailbox_id = ?1", [id]);
    // UID 2 goes first: the client below saw the mailbox just before.
    let before = t.store.mailbox_snapshot(a, "INBOX").await?.highest_modseq;
    t.store.delete_messages(a, id, vec![2]).await?;
    assert_eq!(
        t.store.vanished_since(a, id, before).await?,
        Vanished {
            uids: vec![2],
            exact: true
        }
    );
    // Then 1800 more, 300 at a time (UIDs 101 to 1900): never more than 1000 rows.
    let mut recent = 0;
    for batch in 0..6 {
        let first = 101 + batch * 300;
        recent = t.store.mailbox_snapshot(a, "INBOX").await?.highest_modseq;
        t.store
            .delete_messages(a, id, (first..first + 300).collect())
            .await?;
        assert!(rows(&t)? <= 1000, "{} rows", rows(&t)?);
    }
    assert_eq!(rows(&t)?, 900);
    let floor = t.query_i64("SELECT expunged_floor FROM mailboxes WHERE id = ?1", [id])?;
    assert!(floor as u64 > before && (floor as u64) < recent, "{floor}");
    // Still remembered: exactly the last batch.
    let last = t.store.vanished_since(a, id, recent).await?;
    assert!(last.exact);
    assert_eq!(last.uids, (1601..1901).collect::<Vec<u32>>());
    // Forgotten: every UID not in the mailbox, UID 2 among them.
    let old = t.store.vanished_since(a, id, before).await?;
    assert!(!old.exact);
    let mut gone = vec![2];
    gone.extend(101..1901);
    assert_eq!(old.uids, gone);
    Ok(())
}
