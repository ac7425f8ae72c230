//! Recipient resolution: accounts, aliases, lists, catch-all, forwards, loops, outside domains.

mod common;

use common::{PASSWORD, TestStore, deliver};
use store::Resolution::{self, NotLocal, Unknown};
use store::{AccountId, StoreError};

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
    assert_eq!(t.store.resolve("nobody@example.test").await?, Unknown);
    assert_eq!(t.store.resolve("someone@elsewhere.test").await?, NotLocal);
    // No domain at all.
    let err = t.store.resolve("postmaster").await.err();
    assert!(matches!(err, Some(StoreError::Invalid(_))));
    Ok(())
}

#[tokio::test]
async fn a_disabled_account_is_unknown() -> store::Result<()> {
    let (t, _, _) = setup().await?;
    t.store.set_disabled("a@example.test", true).await?;
    assert_eq!(t.store.resolve("a@example.test").await?, Unknown);
    Ok(())
}

/// Aliases over the accounts a and b, then what one address resolves to.
struct Case {
    why: &'static str,
    /// (alias, targets), added in order.
    aliases: &'static [(&'static str, &'static [&'static str])],
    address: &'static str,
    /// The local accounts reached, by address.
    accounts: &'static [&'static str],
    remote: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        why: "an alias delivers to its account",
        aliases: &[("info@example.test", &["a@example.test"])],
        address: "info@example.test",
        accounts: &["a@example.test"],
        remote: &[],
    },
    Case {
        why: "a list reaches every member once, through a nested list too",
        aliases: &[
            ("sub@example.test", &["b@example.test"]),
            (
                "all@example.test",
                &[
                    "a@example.test",
                    "sub@example.test",
                    "b@example.test",
                    "x@remote.test",
                ],
            ),
        ],
        address: "all@example.test",
        accounts: &["a@example.test", "b@example.test"],
        remote: &["x@remote.test"],
    },
    Case {
        why: "the catch-all takes an unknown local address",
        aliases: &[("@example.test", &["b@example.test"])],
        address: "whoever@example.test",
        accounts: &["b@example.test"],
        remote: &[],
    },
    Case {
        why: "an existing account keeps its own mail beside a catch-all",
        aliases: &[("@example.test", &["b@example.test"])],
        address: "a@example.test",
        accounts: &["a@example.test"],
        remote: &[],
    },
    Case {
        why: "an alias on an account can keep a copy and forward",
        aliases: &[(
            "a@example.test",
            &["a@example.test", "a.elsewhere@remote.test"],
        )],
        address: "a@example.test",
        accounts: &["a@example.test"],
        remote: &["a.elsewhere@remote.test"],
    },
    Case {
        why: "a pure forward keeps no copy",
        aliases: &[("a@example.test", &["a@remote.test"])],
        address: "a@example.test",
        accounts: &[],
        remote: &["a@remote.test"],
    },
    Case {
        why: "an alias to outside addresses only is delivered remotely",
        aliases: &[("ext@example.test", &["p@remote.test", "q@other.test"])],
        address: "ext@example.test",
        accounts: &[],
        remote: &["p@remote.test", "q@other.test"],
    },
];

#[tokio::test]
async fn aliases_lists_catch_alls_and_forwards_resolve() -> store::Result<()> {
    for case in CASES {
        let (t, a, b) = setup().await?;
        for (alias, to) in case.aliases {
            t.store.add_alias(alias, &targets(to)).await?;
        }
        let ids: Vec<AccountId> = case
            .accounts
            .iter()
            .map(|address| if *address == "a@example.test" { a } else { b })
            .collect();
        assert_eq!(
            t.store.resolve(case.address).await?,
            deliver(&ids, case.remote),
            "{}",
            case.why
        );
    }
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
    assert_eq!(t.store.resolve("x@example.test").await?, Unknown);

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
    assert_eq!(t.store.resolve("l0@example.test").await?, Unknown);
    assert_eq!(
        t.store.resolve("l15@example.test").await?,
        deliver(&[a], &[])
    );
    Ok(())
}
