//! MODSEQs for CONDSTORE/QRESYNC: STORE with UNCHANGEDSINCE, and expunged UIDs by MODSEQ.

mod common;

use common::{PASSWORD, TestStore};
use store::FlagOp;

#[tokio::test]
async fn unchanged_since_leaves_newer_messages_alone() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    let a = t.store.add_account("a@example.test", PASSWORD).await?;
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
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    let a = t.store.add_account("a@example.test", PASSWORD).await?;
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
    assert_eq!(t.store.vanished_since(a, id, 0).await?, vec![1, 2, 4]);
    assert_eq!(t.store.vanished_since(a, id, between).await?, vec![4]);
    let now = t.store.mailbox_snapshot(a, "INBOX").await?.highest_modseq;
    assert!(t.store.vanished_since(a, id, now).await?.is_empty());
    // Another account's mailbox is not found.
    let b = t.store.add_account("b@example.test", PASSWORD).await?;
    assert!(t.store.vanished_since(b, id, 0).await.is_err());
    Ok(())
}
