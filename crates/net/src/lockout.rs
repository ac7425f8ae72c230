//! Failed-login slowdown and lockout, per IP address and per account, shared by every
//! protocol that takes passwords (SMTP AUTH, POP3, later IMAP).
//!
//! - Each failure delays the answer a little more (200 ms per recent failure from that
//!   address, at most 3 s): guessing gets slow long before the lockout.
//! - After `per_ip` failures from one address within `period`, that address gets only a
//!   temporary refusal for `period`, whatever it tries. IPv6 clients are counted per /64,
//!   the block one subscriber usually holds.
//! - After `per_account` failures for one account (from any address) within `period`, the
//!   account is locked for `period`: even the right password is refused, so spreading the
//!   guesses over many addresses does not help.
//!
//! The maps are bounded: expired entries are pruned, and at [`MAX_ENTRIES`] the oldest entry
//! is dropped to make room.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The most addresses (and, separately, accounts) tracked at once.
pub const MAX_ENTRIES: usize = 10_000;
/// The added delay per recent failure, and its cap.
const STEP_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(3);

/// Thresholds. A threshold of 0 never locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures from one address within `period` that lock the address.
    pub per_ip: u32,
    /// Failures for one account within `period` that lock the account.
    pub per_account: u32,
    /// How long failures are remembered, and how long a lock lasts.
    pub period: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            per_ip: 5,
            per_account: 10,
            period: Duration::from_secs(15 * 60),
        }
    }
}

/// Why a login attempt is refused before its password is even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// Too many failures from this address.
    Address,
    /// Too many failures for this account.
    Account,
}

/// Failures of one key within the current period.
#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    /// When the first failure of this period happened.
    since: Instant,
    /// Set once the threshold is reached.
    locked_until: Option<Instant>,
}

#[derive(Default)]
struct Maps {
    ips: HashMap<IpAddr, Record>,
    accounts: HashMap<String, Record>,
}

/// The shared failure counters. One per process; share it behind an `Arc`.
pub struct Lockout {
    policy: LockoutPolicy,
    maps: Mutex<Maps>,
}

impl Lockout {
    pub fn new(policy: LockoutPolicy) -> Self {
        Lockout {
            policy,
            maps: Mutex::default(),
        }
    }

    /// Whether an attempt from `ip` for `account` may go on to check its password.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), Locked> {
        self.check_at(Instant::now(), ip, account)
    }

    /// Records a failed attempt; returns how long to wait before answering it.
    pub fn failed(&self, ip: IpAddr, account: &str) -> Duration {
        self.failed_at(Instant::now(), ip, account)
    }

    /// Records a successful login: the account's failures are forgotten (the address's are
    /// not, so one good account does not reset guessing at others).
    pub fn succeeded(&self, account: &str) {
        self.lock().accounts.remove(&account_key(account));
    }

    fn check_at(&self, now: Instant, ip: IpAddr, account: &str) -> Result<(), Locked> {
        let mut maps = self.lock();
        if is_locked(&mut maps.ips, &ip_key(ip), now, self.policy.period) {
            return Err(Locked::Address);
        }
        if is_locked(
            &mut maps.accounts,
            &account_key(account),
            now,
            self.policy.period,
        ) {
            return Err(Locked::Account);
        }
        Ok(())
    }

    fn failed_at(&self, now: Instant, ip: IpAddr, account: &str) -> Duration {
        let policy = self.policy;
        let mut maps = self.lock();
        let from_ip = record_failure(&mut maps.ips, ip_key(ip), now, policy.period, policy.per_ip);
        record_failure(
            &mut maps.accounts,
            account_key(account),
            now,
            policy.period,
            policy.per_account,
        );
        STEP_DELAY.saturating_mul(from_ip).min(MAX_DELAY)
    }

    /// Every update is a single step, so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Maps> {
        self.maps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An IPv4-mapped address counts as IPv4; an IPv6 address as its /64.
fn ip_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

fn account_key(account: &str) -> String {
    account.trim().to_lowercase()
}

/// Whether `key` is locked now; forgets a record whose period is over.
fn is_locked<K: Hash + Eq>(
    map: &mut HashMap<K, Record>,
    key: &K,
    now: Instant,
    period: Duration,
) -> bool {
    let Some(record) = map.get(key) else {
        return false;
    };
    if expired(record, now, period) {
        map.remove(key);
        return false;
    }
    record.locked_until.is_some_and(|until| now < until)
}

/// A record is over once its lock has ended, or (unlocked) once its period has passed.
fn expired(record: &Record, now: Instant, period: Duration) -> bool {
    match record.locked_until {
        Some(until) => now >= until,
        None => now.saturating_duration_since(record.since) >= period,
    }
}

/// Counts a failure; returns the failures in the current period, this one included.
fn record_failure<K: Hash + Eq + Clone>(
    map: &mut HashMap<K, Record>,
    key: K,
    now: Instant,
    period: Duration,
    threshold: u32,
) -> u32 {
    if !map.contains_key(&key) && map.len() >= MAX_ENTRIES {
        map.retain(|_, record| !expired(record, now, period));
        if map.len() >= MAX_ENTRIES {
            let oldest = map
                .iter()
                .min_by_key(|(_, record)| record.since)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                map.remove(&oldest);
            }
        }
    }
    let record = map.entry(key).or_insert(Record {
        failures: 0,
        since: now,
        locked_until: None,
    });
    if expired(record, now, period) {
        *record = Record {
            failures: 0,
            since: now,
            locked_until: None,
        };
    }
    record.failures = record.failures.saturating_add(1);
    if threshold > 0 && record.failures >= threshold && record.locked_until.is_none() {
        record.locked_until = Some(now + period);
    }
    record.failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn lockout(per_ip: u32, per_account: u32) -> Lockout {
        Lockout::new(LockoutPolicy {
            per_ip,
            per_account,
            period: Duration::from_secs(900),
        })
    }

    #[test]
    fn an_address_is_locked_after_its_threshold_and_freed_after_the_period() {
        let l = lockout(3, 100);
        let t = Instant::now();
        let a = ip("192.0.2.1");
        for i in 0..3 {
            assert_eq!(l.check_at(t, a, &format!("user{i}")), Ok(()));
            l.failed_at(t, a, &format!("user{i}"));
        }
        assert_eq!(l.check_at(t, a, "anyone"), Err(Locked::Address));
        assert_eq!(l.check_at(t, ip("192.0.2.2"), "anyone"), Ok(()));
        let later = t + Duration::from_secs(900);
        assert_eq!(l.check_at(later, a, "anyone"), Ok(()));
    }

    #[test]
    fn an_account_is_locked_across_addresses() {
        let l = lockout(100, 3);
        let t = Instant::now();
        for i in 0..3 {
            l.failed_at(t, ip(&format!("198.51.100.{i}")), "Alice@Example.test");
        }
        assert_eq!(
            l.check_at(t, ip("203.0.113.9"), "alice@example.test"),
            Err(Locked::Account)
        );
        // A success cannot happen while locked (the check comes first); another account is
        // not affected.
        assert_eq!(l.check_at(t, ip("203.0.113.9"), "bob@example.test"), Ok(()));
    }

    #[test]
    fn failures_outside_the_period_do_not_add_up() {
        let l = lockout(3, 100);
        let a = ip("192.0.2.1");
        let t = Instant::now();
        l.failed_at(t, a, "x");
        l.failed_at(t, a, "x");
        let later = t + Duration::from_secs(901);
        l.failed_at(later, a, "x");
        assert_eq!(l.check_at(later, a, "x"), Ok(()));
    }

    #[test]
    fn the_delay_grows_per_failure_up_to_a_cap() {
        let l = lockout(0, 0);
        let t = Instant::now();
        let a = ip("192.0.2.1");
        assert_eq!(l.failed_at(t, a, "x"), Duration::from_millis(200));
        assert_eq!(l.failed_at(t, a, "x"), Duration::from_millis(400));
        for _ in 0..30 {
            l.failed_at(t, a, "x");
        }
        assert_eq!(l.failed_at(t, a, "x"), MAX_DELAY);
        // Thresholds of 0 never lock.
        assert_eq!(l.check_at(t, a, "x"), Ok(()));
    }

    #[test]
    fn success_forgets_the_account_but_not_the_address() {
        let l = lockout(3, 3);
        let t = Instant::now();
        let a = ip("192.0.2.1");
        l.failed_at(t, a, "alice");
        l.failed_at(t, a, "alice");
        l.succeeded("alice");
        l.failed_at(t, ip("192.0.2.7"), "alice");
        assert_eq!(l.check_at(t, ip("192.0.2.7"), "alice"), Ok(()));
        l.failed_at(t, a, "bob");
        assert_eq!(l.check_at(t, a, "carol"), Err(Locked::Address));
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let l = lockout(2, 100);
        let t = Instant::now();
        l.failed_at(t, ip("2001:db8:1:2::1"), "x");
        l.failed_at(t, ip("2001:db8:1:2:ffff::9"), "y");
        assert_eq!(
            l.check_at(t, ip("2001:db8:1:2::77"), "z"),
            Err(Locked::Address)
        );
        assert_eq!(l.check_at(t, ip("2001:db8:1:3::1"), "z"), Ok(()));
        l.failed_at(t, ip("::ffff:192.0.2.1"), "x");
        l.failed_at(t, ip("192.0.2.1"), "x");
        assert_eq!(l.check_at(t, ip("192.0.2.1"), "z"), Err(Locked::Address));
    }

    #[test]
    fn memory_stays_bounded_under_a_spray_of_addresses_and_names() {
        let l = lockout(5, 10);
        let t = Instant::now();
        for i in 0..(MAX_ENTRIES as u32 + 500) {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000u32 + i));
            l.failed_at(t, a, &format!("user{i}@example.test"));
        }
        let maps = l.lock();
        assert!(maps.ips.len() <= MAX_ENTRIES);
        assert!(maps.accounts.len() <= MAX_ENTRIES);
    }
}
