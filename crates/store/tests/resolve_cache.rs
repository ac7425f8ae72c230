//! The recipient cache: a change made through another `Store` on the same file (as the CLI
//! does while the server runs) is seen by the next lookup.

mod common;

use common::{PASSWORD, TestStore};
use store::{Resolution, Store};

#[tokio::test]
async fn changes_from_another_process_reach_the_cached_resolver_at_once() -> store::Result<()> {
    let server = TestStore::new()?;
    server.store.add_domain("example.test").await?;
    // Cached as unknown...
    assert_eq!(
        server.store.resolve("zed@example.test").await?,
        Resolution::Unknown
    );
    assert_eq!(
        server.store.resolve("zed@example.test").await?,
        Resolution::Unknown
    );

    // ...until the "CLI" adds the account.
    let cli = Store::open(&server.path)?;
    let id = cli.add_account("zed@example.test", PASSWORD).await?;
    let delivered = Resolution::Deliver {
        accounts: vec![id],
        remote: vec![],
    };
    assert_eq!(server.store.resolve("zed@example.test").await?, delivered);

    cli.add_alias("@example.test", &["zed@example.test".to_string()])
        .await?;
    assert_eq!(server.store.resolve("other@example.test").await?, delivered);
    cli.remove_alias("@example.test").await?;
    assert_eq!(
        server.store.resolve("other@example.test").await?,
        Resolution::Unknown
    );

    cli.set_disabled("zed@example.test", true).await?;
    assert_eq!(
        server.store.resolve("zed@example.test").await?,
        Resolution::Unknown
    );
    cli.set_disabled("zed@example.test", false).await?;
    cli.remove_account("zed@example.test").await?;
    assert_eq!(
        server.store.resolve("zed@example.test").await?,
        Resolution::Unknown
    );
    Ok(())
}

#[tokio::test]
async fn changes_in_the_same_process_are_seen_at_once() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    assert_eq!(
        t.store.resolve("a@example.test").await?,
        Resolution::Unknown
    );
    let id = t.store.add_account("a@example.test", PASSWORD).await?;
    assert_eq!(
        t.store.resolve("a@example.test").await?,
        Resolution::Deliver {
            accounts: vec![id],
            remote: vec![]
        }
    );
    Ok(())
}
