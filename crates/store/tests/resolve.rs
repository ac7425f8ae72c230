//! Recipient resolution: accounts, aliases, lists, catch-all, forwards, loops, outside domains.

mod common;

use common::{PASSWORD, TestStore};
use store::{AccountId, Resolution, StoreError};

fn deliver(accounts: &[AccountId], remote: &[&str]) -> Resolution {
    Resolution::Deliver {
        accounts: accounts.to_vec(),
        remote: remote.iter().map(|r| r.to_string()).collect(),
    }
}

fn targets(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| t.to_string()).collect()
}

/// example.test with accounts a and b.
async fn setup() -> store::Result<(TestStore, AccountId, AccountId)> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    let a = t.store.add_account("a@example.test", PASSWORD).await?;
    let b = t.store.add_account("b@example.test", PASSWORD).await?;
    Ok((t, a, b))
}

#[tokio::test]
async fn an_account_receives_its_own_mail_in_any_case() -> store::Result<()> {
    let (t, a, _) = setup().await?;
    assert_eq!(t.store.resolve("A@Example.TEST").await?, deliver(&[a], &[]));
    Ok(())
}

#[tokio::test]
async fn unknown_local_and_outside_addresses_are_told_apart() -> store::Result<()> {
    let (t, _, _) = setup().await?;
    assert_eq!(
        t.store.resolve("nobody@example.test").await?,
        Resolution::Unknown
    );
    assert_eq!(
        t.store.resolve("someone@elsewhere.test").await?,
        Resolution::NotLocal
    );
    // No domain at all.
    let err = t.store.resolve("postmaster").await.err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    Ok(())
}

#[tokio::test]
async fn a_disabled_account_is_unknown() -> store::Result<()> {
    let (t, _, _) = setup().await?;
    t.store.set_disabled("a@example.test", true).await?;
    assert_eq!(
        t.store.resolve("a@example.test").await?,
        Resolution::Unknown
    );
    Ok(())
}

#[tokio::test]
async fn an_alias_delivers_to_its_account() -> store::Result<()> {
    let (t, a, _) = setup().await?;
    t.store
        .add_alias("info@example.test", &targets(&["a@example.test"]))
        .await?;
    assert_eq!(
        t.store.resolve("info@example.test").await?,
        deliver(&[a], &[])
    );
    Ok(())
}

#[tokio::test]
async fn a_list_reaches_every_member_once() -> store::Result<()> {
    let (t, a, b) = setup().await?;
    t.store
        .add_alias("sub@example.test", &targets(&["b@example.test"]))
        .await?;
    t.store
        .add_alias(
            "all@example.test",
            &targets(&[
                "a@example.test",
                "sub@example.test",
                "b@example.test",
                "x@remote.test",
            ]),
        )
        .await?;
    assert_eq!(
        t.store.resolve("all@example.test").await?,
        deliver(&[a, b], &["x@remote.test"])
    );
    Ok(())
}

#[tokio::test]
async fn the_catch_all_takes_unknown_local_addresses_only() -> store::Result<()> {
    let (t, a, b) = setup().await?;
    t.store
        .add_alias("@example.test", &targets(&["b@example.test"]))
        .await?;
    assert_eq!(
        t.store.resolve("whoever@example.test").await?,
        deliver(&[b], &[])
    );
    // An existing account still gets its own mail.
    assert_eq!(t.store.resolve("a@example.test").await?, deliver(&[a], &[]));
    Ok(())
}

#[tokio::test]
async fn an_alias_on_an_account_can_keep_a_copy_and_forward() -> store::Result<()> {
    let (t, a, _) = setup().await?;
    t.store
        .add_alias(
            "a@example.test",
            &targets(&["a@example.test", "a.elsewhere@remote.test"]),
        )
        .await?;
    assert_eq!(
        t.store.resolve("a@example.test").await?,
        deliver(&[a], &["a.elsewhere@remote.test"])
    );
    Ok(())
}

#[tokio::test]
async fn a_pure_forward_keeps_no_copy() -> store::Result<()> {
    let (t, _, _) = setup().await?;
    t.store
        .add_alias("a@example.test", &targets(&["a@remote.test"]))
        .await?;
    assert_eq!(
        t.store.resolve("a@example.test").await?,
        deliver(&[], &["a@remote.test"])
    );
    Ok(())
}

#[tokio::test]
async fn an_alias_loop_stops() -> store::Result<()> {
    let (t, a, b) = setup().await?;
    // Pure aliases looping: nobody takes the mail.
    t.store
        .add_alias("x@example.test", &targets(&["y@example.test"]))
        .await?;
    t.store
        .add_alias("y@example.test", &targets(&["x@example.test"]))
        .await?;
    assert_eq!(
        t.store.resolve("x@example.test").await?,
        Resolution::Unknown
    );

    // Aliases over accounts looping: each account reached once.
    t.store
        .add_alias("a@example.test", &targets(&["b@example.test"]))
        .await?;
    t.store
        .add_alias("b@example.test", &targets(&["a@example.test"]))
        .await?;
    assert_eq!(t.store.resolve("a@example.test").await?, deliver(&[a], &[]));
    let Resolution::Deliver { mut accounts, .. } = t.store.resolve("b@example.test").await? else {
        panic!("b resolves to nothing");
    };
    accounts.sort();
    assert_eq!(accounts, [b]);
    Ok(())
}

#[tokio::test]
async fn deep_nesting_is_cut() -> store::Result<()> {
    let (t, a, _) = setup().await?;
    // l0 -> l1 -> ... -> l19 -> a: deeper than the limit.
    for i in 0..20 {
        let next = if i == 19 {
            "a@example.test".to_string()
        } else {
            format!("l{}@example.test", i + 1)
        };
        t.store
            .add_alias(&format!("l{i}@example.test"), &[next])
            .await?;
    }
    assert_eq!(
        t.store.resolve("l0@example.test").await?,
        Resolution::Unknown
    );
    assert_eq!(
        t.store.resolve("l15@example.test").await?,
        deliver(&[a], &[])
    );
    Ok(())
}

#[tokio::test]
async fn an_alias_to_outside_addresses_only_is_delivered_remotely() -> store::Result<()> {
    let (t, _, _) = setup().await?;
    t.store
        .add_alias(
            "ext@example.test",
            &targets(&["p@remote.test", "q@other.test"]),
        )
        .await?;
    assert_eq!(
        t.store.resolve("ext@example.test").await?,
        deliver(&[], &["p@remote.test", "q@other.test"])
    );
    Ok(())
}
