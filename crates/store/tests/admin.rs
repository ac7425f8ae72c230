//! Domains, accounts, aliases, passwords and schema versions through the public API.

mod common;

use common::{PASSWORD, TestStore};
use store::{Store, StoreError};

fn message(err: StoreError) -> String {
    err.to_string()
}

#[tokio::test]
async fn reopening_runs_no_migration_twice_and_keeps_data() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    let second = Store::open(&t.path)?;
    assert_eq!(second.list_domains().await?.len(), 1);
    assert_eq!(
        t.query_i64("PRAGMA user_version", [])?,
        store::SCHEMA_VERSION
    );
    Ok(())
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() -> store::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("newer.db");
    rusqlite::Connection::open(&path)?.execute_batch("PRAGMA user_version = 1000")?;
    match Store::open(&path) {
        Err(StoreError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (1000, store::SCHEMA_VERSION));
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
    Ok(())
}

#[tokio::test]
async fn domains_are_added_listed_and_removed_case_insensitively() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("Example.TEST").await?;
    t.store.add_domain("localhost").await?;
    let names: Vec<String> = t
        .store
        .list_domains()
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, ["example.test", "localhost"]);
    assert!(t.store.is_local_domain("EXAMPLE.test").await?);
    assert!(!t.store.is_local_domain("other.test").await?);

    // Already there, in any case.
    let err = t.store.add_domain("example.test").await.err();
    assert!(matches!(err, Some(StoreError::AlreadyExists(_))));

    t.store.remove_domain("EXAMPLE.test").await?;
    assert!(!t.store.is_local_domain("example.test").await?);
    // Gone now.
    let err = t.store.remove_domain("example.test").await.err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    Ok(())
}

#[tokio::test]
async fn invalid_domain_names_are_rejected() -> store::Result<()> {
    let t = TestStore::new()?;
    for bad in ["", "   ", "no-dot", "exa mple.test", "a..test", "-a.test"] {
        let err = t.store.add_domain(bad).await.err();
        assert!(
            matches!(err, Some(StoreError::Invalid(_))),
            "{bad:?} accepted"
        );
    }
    assert_eq!(
        t.store.add_domain("").await.err().map(message),
        Some("the domain name is empty".into())
    );
    Ok(())
}

#[tokio::test]
async fn a_domain_with_accounts_or_aliases_cannot_be_removed() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    t.store.add_account("a@example.test", PASSWORD).await?;
    t.store.add_account("b@example.test", PASSWORD).await?;
    t.store
        .add_alias("c@example.test", &["a@example.test".into()])
        .await?;
    let err = t.store.remove_domain("example.test").await.err();
    assert_eq!(
        err.map(message),
        Some("domain example.test still has 2 accounts and 1 alias; remove them first".into())
    );
    t.store.remove_alias("c@example.test").await?;
    t.store.remove_account("a@example.test").await?;
    t.store.remove_account("b@example.test").await?;
    t.store.remove_domain("example.test").await?;
    Ok(())
}

#[tokio::test]
async fn accounts_start_with_the_five_standard_mailboxes() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    let id = t.store.add_account("Alice@Example.test", PASSWORD).await?;
    let accounts = t.store.list_accounts().await?;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].id, id);
    assert_eq!(accounts[0].address, "alice@example.test");
    assert!(!accounts[0].disabled);

    let conn = t.sql()?;
    let mut stmt =
        conn.prepare("SELECT name, special_use FROM mailboxes WHERE account_id = ?1 ORDER BY id")?;
    let boxes: Vec<(String, Option<String>)> = stmt
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let expected = [
        ("INBOX", None),
        ("Sent", Some("\\Sent")),
        ("Drafts", Some("\\Drafts")),
        ("Trash", Some("\\Trash")),
        ("Junk", Some("\\Junk")),
    ];
    assert_eq!(boxes.len(), expected.len());
    for ((name, special), (want_name, want_special)) in boxes.iter().zip(expected) {
        assert_eq!(name, want_name);
        assert_eq!(special.as_deref(), want_special);
    }
    let hash: String = conn.query_row(
        "SELECT password_hash FROM accounts WHERE id = ?1",
        [id],
        |row| row.get(0),
    )?;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    Ok(())
}

#[tokio::test]
async fn account_errors_say_what_to_do() -> store::Result<()> {
    let t = TestStore::new()?;
    // Unknown domain: the message names the command that fixes it.
    let err = t.store.add_account("a@example.test", PASSWORD).await.err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    assert_eq!(
        err.map(message),
        Some(
            "unknown domain example.test; add it first with `postroom domain add example.test`"
                .into()
        )
    );

    t.store.add_domain("example.test").await?;
    t.store.add_account("a@example.test", PASSWORD).await?;
    // Duplicate, in another case.
    let err = t.store.add_account("A@example.test", PASSWORD).await.err();
    assert!(matches!(err, Some(StoreError::AlreadyExists(_))));
    // Not an address.
    let err = t.store.add_account("nobody", PASSWORD).await.err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    // Weak password.
    let err = t
        .store
        .add_account("b@example.test", "password")
        .await
        .err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    let err = t.store.add_account("b@example.test", "").await.err();
    assert_eq!(err.map(message), Some("the password is empty".into()));
    // Unknown account.
    let err = t.store.remove_account("zed@example.test").await.err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    let err = t
        .store
        .set_password("zed@example.test", PASSWORD)
        .await
        .err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    Ok(())
}

#[tokio::test]
async fn authenticate_accepts_the_password_and_nothing_else() -> store::Result<()> {
    let (t, id) = TestStore::with_account("alice@example.test").await?;

    let good = t.store.authenticate("Alice@example.test", PASSWORD).await?;
    assert_eq!(good.map(|a| a.id), Some(id));
    // Wrong password.
    assert_eq!(
        t.store
            .authenticate("alice@example.test", "wrong password")
            .await?,
        None
    );
    // Unknown user: no error, just no account.
    assert_eq!(
        t.store.authenticate("bob@example.test", PASSWORD).await?,
        None
    );

    // A new password replaces the old one.
    t.store
        .set_password("alice@example.test", "another fine secret")
        .await?;
    assert_eq!(
        t.store.authenticate("alice@example.test", PASSWORD).await?,
        None
    );
    assert!(
        t.store
            .authenticate("alice@example.test", "another fine secret")
            .await?
            .is_some()
    );

    // Disabled: the right password does not open it.
    t.store.set_disabled("alice@example.test", true).await?;
    assert_eq!(
        t.store
            .authenticate("alice@example.test", "another fine secret")
            .await?,
        None
    );
    assert!(t.store.list_accounts().await?[0].disabled);
    Ok(())
}

/// Logins are remembered for a few minutes (no argon2 run for the next one): a change made
/// through another process's store (the CLI next to `serve`) still takes effect at once.
#[tokio::test]
async fn a_remembered_login_ends_with_a_change_made_by_another_process() -> store::Result<()> {
    let (t, _) = TestStore::with_account("alice@example.test").await?;
    t.store.add_account("bob@example.test", PASSWORD).await?;
    let cli = Store::open(&t.path)?;
    for user in ["alice@example.test", "bob@example.test"] {
        assert!(t.store.authenticate(user, PASSWORD).await?.is_some());
        assert!(t.store.authenticate(user, PASSWORD).await?.is_some());
    }
    cli.set_password("alice@example.test", "another fine secret")
        .await?;
    assert_eq!(
        t.store.authenticate("alice@example.test", PASSWORD).await?,
        None
    );
    cli.set_disabled("bob@example.test", true).await?;
    assert_eq!(
        t.store.authenticate("bob@example.test", PASSWORD).await?,
        None
    );
    cli.set_disabled("bob@example.test", false).await?;
    assert!(
        t.store
            .authenticate("bob@example.test", PASSWORD)
            .await?
            .is_some()
    );
    cli.remove_account("bob@example.test").await?;
    assert_eq!(
        t.store.authenticate("bob@example.test", PASSWORD).await?,
        None
    );
    Ok(())
}

#[tokio::test]
async fn aliases_are_added_listed_and_removed() -> store::Result<()> {
    let (t, _) = TestStore::with_account("a@example.test").await?;
    t.store
        .add_alias(
            "Team@example.test",
            &[
                "a@example.test".into(),
                "X@Remote.test".into(),
                "a@example.test".into(),
            ],
        )
        .await?;
    t.store
        .add_alias("@example.test", &["a@example.test".into()])
        .await?;
    // An alias may share its address with an account (keep a copy and forward).
    t.store
        .add_alias(
            "a@example.test",
            &["a@example.test".into(), "b@remote.test".into()],
        )
        .await?;

    let aliases = t.store.list_aliases().await?;
    let listed: Vec<(&str, Vec<&str>)> = aliases
        .iter()
        .map(|a| {
            (
                a.address.as_str(),
                a.targets.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("@example.test", vec!["a@example.test"]),
            ("a@example.test", vec!["a@example.test", "b@remote.test"]),
            ("team@example.test", vec!["a@example.test", "x@remote.test"]),
        ]
    );

    t.store.remove_alias("TEAM@example.test").await?;
    assert_eq!(t.store.list_aliases().await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn alias_errors_are_reported() -> store::Result<()> {
    let t = TestStore::new()?;
    // Domain not ours.
    let err = t
        .store
        .add_alias("x@example.test", &["a@b.test".into()])
        .await
        .err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    t.store.add_domain("example.test").await?;
    // No targets.
    let err = t.store.add_alias("x@example.test", &[]).await.err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    // A target that is not an address.
    let err = t
        .store
        .add_alias("x@example.test", &["not an address".into()])
        .await
        .err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    // Bad alias address.
    let err = t.store.add_alias("x@", &["a@b.test".into()]).await.err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    // Duplicate.
    t.store
        .add_alias("x@example.test", &["a@b.test".into()])
        .await?;
    let err = t
        .store
        .add_alias("X@example.test", &["c@b.test".into()])
        .await
        .err();
    assert!(matches!(err, Some(StoreError::AlreadyExists(_))));
    // Unknown.
    let err = t.store.remove_alias("y@example.test").await.err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    Ok(())
}

#[tokio::test]
async fn close_waits_for_the_writer_and_releases_the_database() -> store::Result<()> {
    let t = TestStore::new()?;
    t.store.add_domain("example.test").await?;
    let TestStore { store, path, dir } = t;
    store.close().await;
    // The writer closed the last connection: the WAL was checkpointed into the file.
    assert!(!path.with_extension("db-wal").exists());
    let conn = rusqlite::Connection::open(&path)?;
    let domains: i64 = conn.query_row("SELECT count(*) FROM domains", [], |row| row.get(0))?;
    assert_eq!(domains, 1);
    drop(dir);
    Ok(())
}
