//! The recipient cache: a change made through another `Store` on the same file (as the CLI
//! does while the server runs) is seen by the next lookup.

mod common;

use common::{PASSWORD, TestStore, deliver};
use store::Resolution::Unknown;
use store::Store;

#[tokio::test]
async fn changes_from_another_process_reach_the_cached_resolver_at_once() -> store::Result<()> {
    let server = TestStore::new()?;
    server.store.add_domain("example.test").await?;
    // Cached as unknown...
    assert_eq!(server.store.resolve("zed@example.test").await?, Unknown);
    assert_eq!(server.store.resolve("zed@example.test").await?, Unknown);

    // ...until the "CLI" adds the account.
    let cli = Store::open(&server.path)?;
    let id = cli.add_account("zed@example.test", PASSWORD).await?;
    let delivered = deliver(&[id], &[]);
    assert_eq!(server.store.resolve("zed@example.test").await?, delivered);

    cli.add_alias("@example.test", &["zed@example.test".to_string()])
        .await?;
    assert_eq!(server.store.resolve("other@example.test").await?, delivered);
    cli.remove_alias("@example.test").await?;
    assert_eq!(server.store.resolve("other@example.test").await?, Unknown);

    cli.set_disabled("zed@example.test", true).await?;
    assert_eq!(server.store.resolve("zed@example.test").await?, Unknown);
    cli.set_disabled("zed@example.test", false).await?;
    cli.remove_account("zed@example.test").await?;
    assert_eq!(server.store.resolve("zed@example.test").await?, Unknown);
    Ok(())
}

#[tokio::test]
async fn changes_in_the_same_process_are_seen_at_once() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    assert_eq!(t.store.resolve("a@example.test").await?, Unknown);
    let id = t.store.add_account("a@example.test", PASSWORD).await?;
    assert_eq!(
        t.store.resolve("a@example.test").await?,
        deliver(&[id], &[])
    );
    Ok(())
}

#[tokio::test]
async fn a_quota_set_from_another_process_reaches_the_rcpt_check_at_once() -> store::Result<()> {
    let server = TestStore::new()?;
    server.store.add_domain("example.test").await?;
    let id = server
        .store
        .add_account("full@example.test", PASSWORD)
        .await?;
    // Unlimited, and remembered as such (the next checks read nothing)...
    assert!(server.store.accepts_delivery(vec![id], 5000).await?);
    assert!(server.store.accepts_delivery(vec![id], 5000).await?);

    // ...until the "CLI" sets a limit the message does not fit.
    let cli = Store::open(&server.path)?;
    cli.set_quota("full@example.test", Some(1000)).await?;
    assert!(!server.store.accepts_delivery(vec![id], 5000).await?);
    assert!(server.store.accepts_delivery(vec![id], 500).await?);

    // Set in this process and removed again: unlimited at once.
    server.store.set_quota("full@example.test", None).await?;
    assert!(server.store.accepts_delivery(vec![id], 5000).await?);
    cli.close().await;
    Ok(())
}
