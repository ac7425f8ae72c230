//! Storage quotas: limits, usage kept through every write path, OVERQUOTA on APPEND/COPY.

mod common;

use common::{PASSWORD, TestStore};
use store::{Delivery, Quota, StoreError};

async fn account(t: &TestStore, address: &str) -> store::Result<store::AccountId> {
    if t.store.list_domains().await?.is_empty() {
        t.store.add_domain("example.test").await?;
    }
    t.store.add_account(address, PASSWORD).await
}

fn delivery(to: store::AccountId, body: &[u8]) -> Delivery {
    Delivery::inbound("x@elsewhere.test", body.to_vec(), vec![to])
}

#[tokio::test]
async fn usage_follows_delivery_append_copy_and_expunge() -> store::Result<()> {
    let t = TestStore::new()?;
    let a = account(&t, "a@example.test").await?;
    assert_eq!(t.store.quota("a@example.test").await?, Quota::default());

    t.store.deliver(delivery(a, &[b'x'; 100])).await?;
    t.store
        .append(a, "Sent", vec![b'y'; 50], vec!["\\Deleted".into()], None)
        .await?;
    let inbox = t.store.mailbox_snapshot(a, "INBOX").await?;
    t.store
        .copy_messages(a, inbox.info.id, vec![1], "Trash", false)
        .await?;
    assert_eq!(t.store.account_quota(a).await?.used_bytes, 250);

    let sent = t.store.mailbox_snapshot(a, "Sent").await?;
    assert_eq!(t.store.expunge(a, sent.info.id, None).await?, vec![1]);
    assert_eq!(t.store.account_quota(a).await?.used_bytes, 200);

    // Deleting a mailbox takes its messages' bytes with it (cascade + trigger).
    t.store.create_mailbox(a, "Old").await?;
    t.store
        .append(a, "Old", vec![b'z'; 30], vec![], None)
        .await?;
    t.store.delete_mailbox(a, "Old").await?;
    assert_eq!(t.store.quota("A@Example.test").await?.used_bytes, 200);
    Ok(())
}

#[tokio::test]
async fn append_and_copy_beyond_the_limit_fail_and_store_nothing() -> store::Result<()> {
    let t = TestStore::new()?;
    let a = account(&t, "a@example.test").await?;
    t.store.set_quota("a@example.test", Some(120)).await?;
    t.store
        .append(a, "INBOX", vec![b'x'; 100], vec![], None)
        .await?;

    // 100 + 30 > 120.
    let append = t
        .store
        .append(a, "INBOX", vec![b'y'; 30], vec![], None)
        .await;
    assert!(matches!(append, Err(StoreError::OverQuota(_))));
    let inbox = t.store.mailbox_snapshot(a, "INBOX").await?;
    // 100 + 100 > 120: the copy is rolled back whole.
    let copy = t
        .store
        .copy_messages(a, inbox.info.id, vec![1], "Trash", false)
        .await;
    assert!(matches!(copy, Err(StoreError::OverQuota(_))));
    assert!(
        t.store
            .mailbox_snapshot(a, "Trash")
            .await?
            .messages
            .is_empty()
    );
    // A MOVE keeps the account's usage as it is, so it is allowed.
    t.store
        .copy_messages(a, inbox.info.id, vec![1], "Trash", true)
        .await?;
    let q = t.store.quota("a@example.test").await?;
    assert_eq!(
        q,
        Quota {
            quota_bytes: Some(120),
            used_bytes: 100
        }
    );
    assert!(q.allows(20) && !q.allows(21) && !q.is_full());
    Ok(())
}

#[tokio::test]
async fn all_accounts_in_one_call_and_the_limit_can_be_removed() -> store::Result<()> {
    let t = TestStore::new()?;
    let a = account(&t, "a@example.test").await?;
    let b = account(&t, "b@example.test").await?;
    t.store.deliver(delivery(a, b"hello")).await?;
    t.store.set_quota("b@example.test", Some(1000)).await?;
    let all = t.store.quotas().await?;
    assert_eq!(all.len(), 2);
    assert_eq!(all[&a].used_bytes, 5);
    assert_eq!(all[&a].quota_bytes, None);
    assert_eq!(all[&b].quota_bytes, Some(1000));
    t.store.set_quota("b@example.test", None).await?;
    assert_eq!(t.store.quota("b@example.test").await?.quota_bytes, None);
    // Unknown account.
    assert!(matches!(
        t.store.set_quota("nobody@example.test", Some(1)).await,
        Err(StoreError::NotFound(_))
    ));
    Ok(())
}
