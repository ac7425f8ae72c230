//! What the store's integration tests share: a store on a throwaway database.

#![allow(dead_code)]

use std::path::PathBuf;

use store::{AccountId, Resolution, Result, Store};

pub struct TestStore {
    pub store: Store,
    pub path: PathBuf,
    pub dir: tempfile::TempDir,
}

impl TestStore {
    pub fn new() -> Result<TestStore> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("postroom.db");
        let store = Store::open(&path)?;
        Ok(TestStore { store, path, dir })
    }

    /// A store with the domain example.test and the account `address` (in it) with
    /// [`PASSWORD`].
    pub async fn with_account(address: &str) -> Result<(TestStore, AccountId)> {
        let t = TestStore::new()?;
        t.store.add_domain("example.test").await?;
        let id = t.store.add_account(address, PASSWORD).await?;
        Ok((t, id))
    }

    /// A separate plain connection for looking at rows the API does not show.
    pub fn sql(&self) -> Result<rusqlite::Connection> {
        Ok(rusqlite::Connection::open(&self.path)?)
    }

    pub fn query_i64(&self, sql: &str, params: impl rusqlite::Params) -> Result<i64> {
        Ok(self.sql()?.query_row(sql, params, |row| row.get(0))?)
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// What an address resolves to when it delivers to `accounts` and relays to `remote`.
pub fn deliver(accounts: &[AccountId], remote: &[&str]) -> Resolution {
    Resolution::Deliver {
        accounts: accounts.to_vec(),
        remote: remote.iter().map(|r| r.to_string()).collect(),
    }
}
