//! Failed-login slowdown and lockout, shared by every protocol that takes passwords (SMTP
//! AUTH, IMAP, POP3; the admin panel has an instance of its own).
//!
//! An attempt is counted *before* its password is checked: [`Lockout::begin`] reserves a
//! slot in every counter and refuses when the reserved and failed attempts together reach a
//! threshold. Checking first and counting after the (slow) password check let N parallel
//! guesses all pass the check before any of them had failed.
//!
//! Three counters, over `period` (default 15 minutes):
//! - **Address** (IPv4, or an IPv6 /64, the block one subscriber usually holds): after
//!   `per_ip` failures the address is refused, whatever it tries, until the period is over.
//!   Only the guesser's own address is hurt. (Attempts in flight count here only once the
//!   address has failed: a whole office may sign in at once behind one NAT address.)
//! - **Account from one address**: after `per_account` failures for one account from one
//!   address, that address may not try that account until the period is over (even the right
//!   password is refused).
//! - **Account from everywhere**: after `per_account` failures for one account from all
//!   addresses together, the account is *slowed*, not locked: from addresses that have not
//!   signed in to it before, one attempt at a time, the next no sooner than 1 s after the last
//!   failure, then 2 s, 4 s... up to `period`. Guesses spread over many addresses stay few (about
//!   ten more in the first period, then one per period), and a stranger cannot lock the
//!   owner out: an address that signed in to the account in the last 30 days ("known") skips
//!   this delay.
//!
//! Each failure's answer is also delayed, 200 ms per recent failure from that address, at most
//! 3 s.
//!
//! The maps are bounded: at [`MAX_ENTRIES`] expired entries are pruned, then the oldest entry
//! that is neither locked nor in use is dropped. Locked entries are never dropped (a /48 could
//! otherwise evict its own locks by failing from other /64s); if only such entries are left the
//! map may grow to four times the bound, then attempts that would need a new entry are refused
//! until some expire. Failures arrive no faster than passwords can be checked (a small thread
//! pool), so reaching that needs far more guesses than one period allows.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The most addresses (and, separately, accounts) tracked at once, before locked ones.
pub const MAX_ENTRIES: usize = 10_000;
/// How many times `MAX_ENTRIES` a map may hold when only locked or busy entries are left.
const HARD_CAP_FACTOR: usize = 4;
/// The added delay per recent failure, and its cap.
const STEP_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(3);
/// The first wait between attempts on a slowed account; it doubles with each failure.
const FIRST_SLOWDOWN: Duration = Duration::from_secs(1);
/// How long an address that signed in to an account stays known for it.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// Thresholds. A threshold of 0 never locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures from one address within `period` that lock the address.
    pub per_ip: u32,
    /// Failures for one account within `period` that lock the account for that address, and
    /// (from all addresses together) slow it down for the others.
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
#[non_exhaustive]
pub enum Locked {
    /// Too many failures from this address.
    Address,
    /// Too many failures for this account from this address.
    Account,
    /// Too many failures for this account from everywhere: wait before the next attempt.
    Slowed,
    /// Too many locked entries to track one more.
    Busy,
}

/// Failures of one key within the current period.
#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    /// Attempts begun and not yet over; counted like failures.
    pending: u32,
    /// When the first failure (or attempt) of this period happened.
    since: Instant,
    /// Set once the threshold is reached: until when the key is locked (or, for an account
    /// from everywhere, slowed).
    locked_until: Option<Instant>,
    /// A slowed account: the next attempt from an unknown address not before this.
    next_try: Option<Instant>,
}

impl Record {
    fn new(now: Instant) -> Record {
        Record {
            failures: 0,
            pending: 0,
            since: now,
            locked_until: None,
            next_try: None,
        }
    }

    /// Over: nothing in flight, and the lock has ended or (unlocked) the period has passed.
    fn expired(&self, now: Instant, period: Duration) -> bool {
        self.pending == 0
            && match self.locked_until {
                Some(until) => now >= until,
                None => now.saturating_duration_since(self.since) >= period,
            }
    }

    fn locked(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// Failed and in-flight attempts together reach `threshold` (0: never).
    fn full(&self, threshold: u32) -> bool {
        threshold > 0 && self.failures.saturating_add(self.pending) >= threshold
    }

    /// For an address: many people may sign in at once behind one (NAT) address, so its
    /// attempts in flight count only once it has failed in this period.
    fn address_full(&self, threshold: u32) -> bool {
        if self.failures == 0 {
            return false;
        }
        self.full(threshold)
    }

    fn release(&mut self) {
        self.pending = self.pending.saturating_sub(1);
    }

    /// Counts a failure of a reserved attempt; locks at `threshold` for `period`.
    fn fail(&mut self, now: Instant, period: Duration, threshold: u32) {
        self.release();
        self.failures = self.failures.saturating_add(1);
        if threshold > 0 && self.failures >= threshold && self.locked_until.is_none() {
            self.locked_until = Some(now + period);
        }
    }
}

/// A bounded map of records (see the module doc).
struct Table<K> {
    map: HashMap<K, Record>,
    /// [`MAX_ENTRIES`], smaller in tests.
    max: usize,
    /// Set when the last search for an entry to drop found none: no search before then (the
    /// first lock ends), so a full map does not cost a scan per attempt.
    no_room_until: Option<Instant>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            map: HashMap::new(),
            max: MAX_ENTRIES,
            no_room_until: None,
        }
    }
}

impl<K: Hash + Eq + Clone> Table<K> {
    /// The record of `key` if it is still live; an expired one is forgotten.
    fn live(&mut self, key: &K, now: Instant, period: Duration) -> Option<&Record> {
        if self.map.get(key)?.expired(now, period) {
            self.map.remove(key);
            return None;
        }
        self.map.get(key)
    }

    /// The record of `key`, made (fresh if the old one expired) if need be; `None` when the
    /// map is full of entries that may not be dropped.
    fn entry(&mut self, key: K, now: Instant, period: Duration) -> Option<&mut Record> {
        if !self.map.contains_key(&key) && self.map.len() >= self.max {
            self.make_room(now, period);
            if self.map.len() >= self.max * HARD_CAP_FACTOR {
                return None;
            }
        }
        let record = self.map.entry(key).or_insert_with(|| Record::new(now));
        if record.expired(now, period) {
            *record = Record::new(now);
        }
        Some(record)
    }

    /// Drops expired entries, else the oldest one neither locked nor in use.
    fn make_room(&mut self, now: Instant, period: Duration) {
        if self.no_room_until.is_some_and(|until| now < until) {
            return;
        }
        self.map.retain(|_, r| !r.expired(now, period));
        if self.map.len() < self.max {
            return;
        }
        let oldest = self
            .map
            .iter()
            .filter(|(_, r)| r.pending == 0 && !r.locked(now))
            .min_by_key(|(_, r)| r.since)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(oldest) => {
                self.map.remove(&oldest);
            }
            None => {
                self.no_room_until = self.map.values().filter_map(|r| r.locked_until).min();
            }
        }
    }

    /// Applies `change` to a record that exists; drops it when nothing is left in it.
    fn update(&mut self, key: &K, change: impl FnOnce(&mut Record)) {
        if let Some(record) = self.map.get_mut(key) {
            change(record);
            if record.failures == 0 && record.pending == 0 && record.locked_until.is_none() {
                self.map.remove(key);
            }
        }
    }
}

type Pair = (String, IpAddr);

#[derive(Default)]
struct Maps {
    ips: Table<IpAddr>,
    /// One account from one address.
    pairs: Table<Pair>,
    /// One account from everywhere.
    accounts: Table<String>,
    /// When an address last signed in to an account.
    known: HashMap<Pair, Instant>,
}

/// The shared failure counters. One per process (and one for the admin panel); share it
/// behind an `Arc`.
pub struct Lockout {
    policy: LockoutPolicy,
    maps: Mutex<Maps>,
}

/// One login attempt, counted as failed until it is resolved: [`Attempt::failed`] or
/// [`Attempt::succeeded`]. Dropped unresolved (the password could not be checked: a database
/// error, the client left), it counts as nothing.
#[must_use = "an attempt counts until it is resolved or dropped"]
pub struct Attempt {
    lockout: Arc<Lockout>,
    ip: IpAddr,
    pair: Pair,
    /// Whether the attempt holds a slot in the account-from-everywhere counter (not from a
    /// known address).
    global: bool,
    resolved: bool,
}

impl Lockout {
    pub fn new(policy: LockoutPolicy) -> Self {
        Lockout {
            policy,
            maps: Mutex::default(),
        }
    }

    /// Whether an attempt from `ip` for `account` may go on to check its password; if so it
    /// is counted from now on.
    pub fn begin(self: &Arc<Self>, ip: IpAddr, account: &str) -> Result<Attempt, Locked> {
        self.begin_at(Instant::now(), ip, account)
    }

    fn begin_at(
        self: &Arc<Self>,
        now: Instant,
        ip: IpAddr,
        account: &str,
    ) -> Result<Attempt, Locked> {
        let LockoutPolicy {
            per_ip,
            per_account,
            period,
        } = self.policy;
        let ip = ip_key(ip);
        let pair = (account_key(account), ip);
        let mut maps = self.lock();
        let maps = &mut *maps;
        if maps
            .ips
            .live(&ip, now, period)
            .is_some_and(|r| r.locked(now) || r.address_full(per_ip))
        {
            return Err(Locked::Address);
        }
        if maps
            .pairs
            .live(&pair, now, period)
            .is_some_and(|r| r.locked(now) || r.full(per_account))
        {
            return Err(Locked::Account);
        }
        let known = match maps.known.get(&pair) {
            Some(at) if now.saturating_duration_since(*at) < KNOWN_FOR => true,
            Some(_) => {
                maps.known.remove(&pair);
                false
            }
            None => false,
        };
        if !known
            && maps.accounts.live(&pair.0, now, period).is_some_and(|r| {
                // Slowed: one attempt at a time, each after its wait.
                r.full(per_account) && (r.pending > 0 || r.next_try.is_some_and(|t| now < t))
            })
        {
            return Err(Locked::Slowed);
        }
        // Reserve a slot in each counter; all or none.
        let ip_ok = maps
            .ips
            .entry(ip, now, period)
            .map(|r| r.pending += 1)
            .is_some();
        let pair_ok = maps
            .pairs
            .entry(pair.clone(), now, period)
            .map(|r| r.pending += 1)
            .is_some();
        let global_ok = known
            || maps
                .accounts
                .entry(pair.0.clone(), now, period)
                .map(|r| r.pending += 1)
                .is_some();
        if !(ip_ok && pair_ok && global_ok) {
            if ip_ok {
                maps.ips.update(&ip, Record::release);
            }
            if pair_ok {
                maps.pairs.update(&pair, Record::release);
            }
            if !known && global_ok {
                maps.accounts.update(&pair.0, Record::release);
            }
            return Err(Locked::Busy);
        }
        Ok(Attempt {
            lockout: Arc::clone(self),
            ip,
            pair,
            global: !known,
            resolved: false,
        })
    }

    /// Every update is a single step, so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Maps> {
        self.maps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Attempt {
    /// The password was wrong: counts the failure; returns how long to wait before answering.
    pub fn failed(self) -> Duration {
        self.failed_at(Instant::now())
    }

    fn failed_at(mut self, now: Instant) -> Duration {
        self.resolved = true;
        let LockoutPolicy {
            per_ip,
            per_account,
            period,
        } = self.lockout.policy;
        let mut maps = self.lockout.lock();
        let mut from_ip = 0;
        maps.ips.update(&self.ip, |r| {
            r.fail(now, period, per_ip);
            from_ip = r.failures;
        });
        maps.pairs
            .update(&self.pair, |r| r.fail(now, period, per_account));
        if self.global {
            maps.accounts.update(&self.pair.0, |r| {
                r.release();
                r.failures = r.failures.saturating_add(1);
                if per_account > 0 && r.failures >= per_account {
                    // Slowed from now on, for a whole period after the last failure.
                    let doublings = (r.failures - per_account).min(20);
                    let wait = FIRST_SLOWDOWN.saturating_mul(1 << doublings).min(period);
                    r.next_try = Some(now + wait);
                    r.locked_until = Some(now + period);
                }
            });
        }
        STEP_DELAY.saturating_mul(from_ip).min(MAX_DELAY)
    }

    /// The password was right: the account's failures from this address are forgotten and
    /// the address becomes known for it. The address's failures are not forgotten (one good
    /// account does not reset guessing at others), nor the account's from everywhere (the
    /// owner signing in does not give strangers new guesses).
    pub fn succeeded(mut self) {
        self.resolved = true;
        let now = Instant::now();
        let mut maps = self.lockout.lock();
        maps.ips.update(&self.ip, Record::release);
        maps.pairs.update(&self.pair, |r| {
            r.release();
            r.failures = 0;
            r.locked_until = None;
        });
        if self.global {
            maps.accounts.update(&self.pair.0, Record::release);
        }
        if !maps.known.contains_key(&self.pair) && maps.known.len() >= MAX_ENTRIES {
            maps.known
                .retain(|_, at| now.saturating_duration_since(*at) < KNOWN_FOR);
            if maps.known.len() >= MAX_ENTRIES {
                let oldest = maps
                    .known
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    maps.known.remove(&oldest);
                }
            }
        }
        maps.known.insert(self.pair.clone(), now);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if self.resolved {
            return;
        }
        let mut maps = self.lockout.lock();
        maps.ips.update(&self.ip, Record::release);
        maps.pairs.update(&self.pair, Record::release);
        if self.global {
            maps.accounts.update(&self.pair.0, Record::release);
        }
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

#[cfg(test)]
mod tests;
