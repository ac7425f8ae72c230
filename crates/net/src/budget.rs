//! One budget for the message bytes every session holds in memory at once (SMTP DATA/BDAT,
//! IMAP literals such as APPEND's), across all services and connections.
//!
//! A session reserves bytes before (or as) it buffers them and gets a [`BudgetGuard`] that
//! gives them back when dropped, so a finished, refused or disconnected session cannot leak
//! its share. A reservation that would pass the limit is refused, never partly granted: the
//! session answers with a temporary failure (SMTP `452 4.3.1`, IMAP `NO [UNAVAILABLE]`) and
//! stops buffering.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug)]
struct Shared {
    /// Bytes reserved now, by every guard together.
    used: AtomicU64,
    /// The limit; changed by [`MemoryBudget::set_limit`] (a reload), new reservations obey it.
    limit: AtomicU64,
}

/// The shared budget. Cheap to clone: every clone draws from the same bytes.
#[derive(Debug, Clone)]
pub struct MemoryBudget {
    shared: Arc<Shared>,
}

/// Bytes reserved from a [`MemoryBudget`]; returned to it on drop.
#[derive(Debug)]
pub struct BudgetGuard {
    shared: Arc<Shared>,
    held: u64,
}

impl MemoryBudget {
    pub fn new(limit: u64) -> Self {
        MemoryBudget {
            shared: Arc::new(Shared {
                used: AtomicU64::new(0),
                limit: AtomicU64::new(limit),
            }),
        }
    }

    /// A new limit for every clone. Reservations already granted stay; while they exceed a
    /// lowered limit, new ones are refused until enough are returned.
    pub fn set_limit(&self, limit: u64) {
        self.shared.limit.store(limit, Ordering::Relaxed);
    }

    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.shared.limit.load(Ordering::Relaxed)
    }

    /// Bytes reserved now, by all sessions.
    pub fn used(&self) -> u64 {
        self.shared.used.load(Ordering::Relaxed)
    }

    /// A guard holding nothing yet; [`BudgetGuard::resize`] grows it.
    pub fn guard(&self) -> BudgetGuard {
        BudgetGuard {
            shared: Arc::clone(&self.shared),
            held: 0,
        }
    }

    /// A guard holding `bytes`, or `None` if they do not fit.
    pub fn try_reserve(&self, bytes: u64) -> Option<BudgetGuard> {
        let mut guard = self.guard();
        guard.resize(bytes).then_some(guard)
    }
}

impl Shared {
    /// Adds `bytes` to `used` if the sum stays within the limit.
    fn take(&self, bytes: u64) -> bool {
        let limit = self.limit.load(Ordering::Relaxed);
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&sum| sum <= limit)
            })
            .is_ok()
    }

    fn give(&self, bytes: u64) {
        // Every release matches an earlier `take` of at least as much, so this cannot wrap.
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

impl BudgetGuard {
    /// Bytes this guard holds.
    pub fn held(&self) -> u64 {
        self.held
    }

    /// Makes the guard hold exactly `bytes`. Shrinking always succeeds; growing succeeds only
    /// if the difference fits in the budget, and otherwise leaves the guard as it was.
    pub fn resize(&mut self, bytes: u64) -> bool {
        if bytes > self.held {
            if !self.shared.take(bytes - self.held) {
                return false;
            }
        } else {
            self.shared.give(self.held - bytes);
        }
        self.held = bytes;
        true
    }
}

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        self.shared.give(self.held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_past_the_limit_are_refused_whole() {
        let budget = MemoryBudget::new(100);
        let a = budget.try_reserve(60).expect("fits");
        assert!(budget.try_reserve(41).is_none(), "60 + 41 > 100");
        assert_eq!(budget.used(), 60, "a refused reservation takes nothing");
        let b = budget.try_reserve(40).expect("60 + 40 = 100 fits");
        assert_eq!(budget.used(), 100);
        drop(a);
        drop(b);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn a_guard_grows_and_shrinks_and_gives_back_all_on_drop() {
        let budget = MemoryBudget::new(100);
        let mut guard = budget.guard();
        assert!(guard.resize(30));
        assert!(guard.resize(90));
        assert!(!guard.resize(101), "over the limit");
        assert_eq!(
            guard.held(),
            90,
            "a refused growth leaves the guard as it was"
        );
        assert!(guard.resize(10));
        assert_eq!(budget.used(), 10);
        drop(guard);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn clones_share_the_bytes_and_a_new_limit() {
        let budget = MemoryBudget::new(50);
        let clone = budget.clone();
        let _a = clone.try_reserve(50).expect("fits");
        assert!(budget.try_reserve(1).is_none());
        budget.set_limit(80);
        assert!(clone.try_reserve(30).is_some());
    }

    #[test]
    fn a_lowered_limit_refuses_new_reservations_until_enough_are_returned() {
        let budget = MemoryBudget::new(100);
        let a = budget.try_reserve(80).expect("fits");
        budget.set_limit(50);
        assert!(budget.try_reserve(1).is_none());
        drop(a);
        assert!(budget.try_reserve(50).is_some());
    }

    #[test]
    fn many_threads_never_exceed_the_limit() {
        let budget = MemoryBudget::new(1000);
        let peak = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let budget = budget.clone();
                let peak = Arc::clone(&peak);
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        if let Some(guard) = budget.try_reserve(300) {
                            peak.fetch_max(budget.used(), Ordering::Relaxed);
                            drop(guard);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert!(peak.load(Ordering::Relaxed) <= 1000);
        assert_eq!(budget.used(), 0);
    }
}
