//! Recently verified logins, as Dovecot's `auth_cache`: a successful argon2id check is
//! remembered for [`TTL`], so a client that logs in again and again (an IMAP client opens a
//! connection per folder, POP3 polls, SMTP AUTH per message) costs an SQLite read instead of
//! argon2's 19 MiB and tens of milliseconds each time.
//!
//! What is kept is a keyed hash (HMAC-SHA256 under a key drawn when the store opens, never
//! written anywhere) of the account's stored PHC string and the password, with the account
//! and the time: never the password. What invalidates an entry:
//! - a password change: the new PHC string has a fresh salt, so no old entry can match;
//! - a disabled or deleted account: the login reads the account row every time, and only an
//!   enabled account consults the cache (a disabled one is refused after a full check);
//! - a wrong password for the account (which is all the per-account lockout ever counts):
//!   every entry of the account is forgotten, so after a lockout the right password goes
//!   through argon2 again. While locked, `net::login` refuses before the store is asked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ring::hmac;

use crate::AccountId;

/// How long a verification is remembered.
pub(crate) const TTL: Duration = Duration::from_secs(5 * 60);

/// The most verifications remembered (about 100 bytes each).
const CAPACITY: usize = 4096;

/// The remembered verifications of one store.
pub(crate) struct Verified {
    key: hmac::Key,
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

#[derive(Clone, Copy)]
struct Entry {
    account: AccountId,
    at: Instant,
}

impl Verified {
    pub(crate) fn new() -> Verified {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &rand::random::<[u8; 32]>());
        Verified {
            key,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The entry's key: HMAC(stored PHC string, password), the two told apart by length.
    fn tag(&self, stored: &str, password: &str) -> [u8; 32] {
        let mut mac = hmac::Context::with_key(&self.key);
        mac.update(&(stored.len() as u64).to_be_bytes());
        mac.update(stored.as_bytes());
        mac.update(password.as_bytes());
        let mut tag = [0u8; 32];
        tag.copy_from_slice(mac.sign().as_ref());
        tag
    }

    /// Whether `password` was verified against `stored` for `account` less than [`TTL`] ago.
    pub(crate) fn contains(&self, account: AccountId, stored: &str, password: &str) -> bool {
        let tag = self.tag(stored, password);
        let Ok(entries) = self.entries.lock() else {
            return false;
        };
        entries
            .get(&tag)
            .is_some_and(|e| e.account == account && e.at.elapsed() < TTL)
    }

    /// Remembers a successful verification. When full, the expired entries go, and if that
    /// is not enough the oldest half: a flood of distinct logins cannot grow it.
    pub(crate) fn insert(&self, account: AccountId, stored: &str, password: &str) {
        let tag = self.tag(stored, password);
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY && !entries.contains_key(&tag) {
            entries.retain(|_, e| e.at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                let mut ages: Vec<Instant> = entries.values().map(|e| e.at).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                entries.retain(|_, e| e.at > cut);
            }
        }
        let at = Instant::now();
        entries.insert(tag, Entry { account, at });
    }

    /// Forgets every verification of `account`.
    pub(crate) fn forget(&self, account: AccountId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.account != account);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    const NEW_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0$aGFzaGhhc2hoYXNoaGFzaA";

    #[test]
    fn a_verification_matches_only_its_account_hash_and_password() {
        let v = Verified::new();
        v.insert(1, PHC, "right password");
        assert!(v.contains(1, PHC, "right password"));
        assert!(!v.contains(1, PHC, "wrong password"));
        // The password was changed: a new PHC string (new salt).
        assert!(!v.contains(1, NEW_PHC, "right password"));
        // Another account with the same stored string (cannot happen: salts) still misses.
        assert!(!v.contains(2, PHC, "right password"));
    }

    #[test]
    fn forgetting_an_account_drops_only_its_entries() {
        let v = Verified::new();
        v.insert(1, PHC, "one password");
        v.insert(1, NEW_PHC, "one password");
        v.insert(2, PHC, "two password");
        v.forget(1);
        assert!(!v.contains(1, PHC, "one password"));
        assert!(!v.contains(1, NEW_PHC, "one password"));
        assert!(v.contains(2, PHC, "two password"));
    }

    #[test]
    fn the_password_is_not_kept() {
        let v = Verified::new();
        v.insert(1, PHC, "a secret only I know");
        let entries = v.entries.lock().expect("lock");
        let (tag, _) = entries.iter().next().expect("one entry");
        assert!(
            !tag.windows(8)
                .any(|w| b"a secret only I know".windows(8).any(|p| p == w))
        );
        // Another process (another key) hashes the same pair differently.
        assert_ne!(*tag, Verified::new().tag(PHC, "a secret only I know"));
    }

    /// Through the store: a login is remembered, a wrong password for the account forgets
    /// it (what the lockout counts), and the next right one is checked by argon2 again.
    #[tokio::test]
    async fn a_login_is_remembered_until_a_wrong_password_for_the_account() -> crate::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = crate::Store::open(&dir.path().join("v.db"))?;
        store.add_domain("example.test").await?;
        store
            .add_account("alice@example.test", "a fine secret")
            .await?;
        store.add_account("bob@example.test", "bobs secret").await?;
        let verified = &store.inner.verified;
        let logs_in = async |user: &str, password: &str| -> crate::Result<bool> {
            Ok(store.authenticate(user, password).await?.is_some())
        };
        assert!(logs_in("alice@example.test", "a fine secret").await?);
        assert!(logs_in("bob@example.test", "bobs secret").await?);
        assert_eq!(verified.len(), 2);
        // Remembered: the same login again adds nothing.
        assert!(logs_in("Alice@example.test", "a fine secret").await?);
        assert_eq!(verified.len(), 2);
        assert!(!logs_in("alice@example.test", "a wrong guess").await?);
        assert_eq!(verified.len(), 1, "alice's entry is forgotten, bob's kept");
        assert!(logs_in("alice@example.test", "a fine secret").await?);
        assert_eq!(verified.len(), 2);
        Ok(())
    }

    #[test]
    fn it_stays_bounded_under_a_flood_of_logins() {
        let v = Verified::new();
        for i in 0..3 * CAPACITY {
            v.insert(i as AccountId, PHC, &format!("password {i}"));
            assert!(v.len() <= CAPACITY);
        }
        // The newest is still there.
        let last = 3 * CAPACITY - 1;
        assert!(v.contains(last as AccountId, PHC, &format!("password {last}")));
    }
}
