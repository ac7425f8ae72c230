//! What the unit tests share: a store on a throwaway database. (The integration tests in
//! `tests/` have their own, in `tests/common/`.)

use crate::{AccountId, Result, Store};

/// The database file name inside a fixture's directory.
pub(crate) const DB: &str = "postroom.db";

/// A store in a new temporary directory (kept alive by the caller) with the domain
/// example.test and the account `address`.
pub(crate) async fn store_with_account(
    address: &str,
) -> Result<(tempfile::TempDir, Store, AccountId)> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join(DB))?;
    store.add_domain("example.test").await?;
    let account = store.add_account(address, "correct horse battery").await?;
    Ok((dir, store, account))
}
