//! The exclusive-access lock on a maildrop (RFC 1939 §4): one POP3 session per account.
//!
//! In-process only: the server is the only program that serves POP3 from its database.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use store::AccountId;

/// The accounts whose maildrop a session holds. Cheap to clone (shared set).
#[derive(Clone, Default)]
pub struct Maildrops {
    held: Arc<Mutex<HashSet<AccountId>>>,
}

/// Held by a session in the TRANSACTION state; releases the account when dropped, however
/// the session ends (QUIT, a dropped connection, a timeout, a panic).
#[derive(Debug)]
pub(crate) struct MaildropLock {
    held: Arc<Mutex<HashSet<AccountId>>>,
    account: AccountId,
}

/// Every update is a single insert or remove, so a poisoned lock is used as is.
fn lock(held: &Mutex<HashSet<AccountId>>) -> MutexGuard<'_, HashSet<AccountId>> {
    held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Maildrops {
    /// The lock on `account`'s maildrop, or `None` while another session holds it.
    pub(crate) fn try_lock(&self, account: AccountId) -> Option<MaildropLock> {
        lock(&self.held).insert(account).then(|| MaildropLock {
            held: Arc::clone(&self.held),
            account,
        })
    }

    /// How many maildrops are held now.
    pub fn held(&self) -> usize {
        lock(&self.held).len()
    }
}

impl Drop for MaildropLock {
    fn drop(&mut self) {
        lock(&self.held).remove(&self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_per_account_until_it_lets_go() {
        let drops = Maildrops::default();
        let first = drops.try_lock(1);
        assert!(first.is_some());
        assert!(drops.try_lock(1).is_none(), "second session on account 1");
        assert!(drops.try_lock(2).is_some(), "another account is free");
        drop(first);
        assert!(drops.try_lock(1).is_some(), "released on drop");
        assert_eq!(drops.held(), 0);
    }
}
