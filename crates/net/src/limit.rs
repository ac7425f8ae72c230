//! Per-IP and total connection limits. Counts live in one mutex-guarded map; an IP's entry is
//! removed when its last connection ends, so the map never grows beyond the live connections.
//!
//! An IPv6 client is counted per /64, not per address: one end site gets at least a /64
//! (RFC 6177 §2, RFC 7421 §1) and can pick any of its 2^64 addresses, so counting per
//! address would let one host take every connection slot.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Default)]
struct Counts {
    per_ip: HashMap<IpAddr, usize>,
    total: usize,
    /// The limits, here so that [`ConnLimiter::set_limits`] reaches every clone.
    max_per_ip: usize,
    max_total: usize,
}

/// Per-IP and total connection counting. Cheap to clone (shared counters and limits).
#[derive(Clone)]
pub struct ConnLimiter {
    counts: Arc<Mutex<Counts>>,
}

/// Held for the life of one connection; releases its slot on drop.
pub struct ConnGuard {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

/// The counts stay consistent even if a thread panicked while holding the lock (every update
/// is a single step), so a poisoned lock is used as is.
fn lock(counts: &Mutex<Counts>) -> MutexGuard<'_, Counts> {
    counts
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ConnLimiter {
    pub fn new(per_ip: usize, total: usize) -> Self {
        ConnLimiter {
            counts: Arc::new(Mutex::new(Counts {
                max_per_ip: per_ip,
                max_total: total,
                ..Counts::default()
            })),
        }
    }

    /// New limits for every clone, from the next connection on; open ones stay open.
    pub fn set_limits(&self, per_ip: usize, total: usize) {
        let mut counts = lock(&self.counts);
        counts.max_per_ip = per_ip;
        counts.max_total = total;
    }

    /// A slot for a connection from `ip`, or `None` when a limit is reached.
    pub fn try_acquire(&self, ip: IpAddr) -> Option<ConnGuard> {
        let ip = client_key(ip);
        let mut counts = lock(&self.counts);
        if counts.total >= counts.max_total {
            return None;
        }
        let max_per_ip = counts.max_per_ip;
        let from_ip = counts.per_ip.entry(ip).or_insert(0);
        if *from_ip >= max_per_ip {
            // An entry at 0 was only just inserted (per_ip == 0); do not leave it behind.
            if *from_ip == 0 {
                counts.per_ip.remove(&ip);
            }
            return None;
        }
        *from_ip += 1;
        counts.total += 1;
        Some(ConnGuard {
            counts: Arc::clone(&self.counts),
            ip,
        })
    }

    /// Connections open now, in all.
    pub fn active(&self) -> usize {
        lock(&self.counts).total
    }

    /// Connections open now from `ip` (for IPv6: from its /64).
    pub fn active_from(&self, ip: IpAddr) -> usize {
        lock(&self.counts)
            .per_ip
            .get(&client_key(ip))
            .copied()
            .unwrap_or(0)
    }
}

/// What the per-IP limit counts: an IPv4 address, or an IPv6 address's /64 (its last 64 bits
/// zeroed). An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; it counts as
/// a.b.c.d.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !(u128::from(u64::MAX));
            IpAddr::V6(prefix.into())
        }
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        let mut counts = lock(&self.counts);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    /// A slot for a connection from `peer`, if the limits allow one.
    fn take(limiter: &ConnLimiter, peer: &str) -> Option<ConnGuard> {
        limiter.try_acquire(ip(peer))
    }

    #[test]
    fn one_ip_gets_at_most_per_ip_slots() {
        let limiter = ConnLimiter::new(2, 10);
        let a = take(&limiter, "192.0.2.1").expect("first");
        let _b = take(&limiter, "192.0.2.1").expect("second");
        assert!(
            take(&limiter, "192.0.2.1").is_none(),
            "third from the same IP"
        );
        assert!(
            take(&limiter, "192.0.2.2").is_some(),
            "another IP is not affected"
        );
        drop(a);
        assert!(
            take(&limiter, "192.0.2.1").is_some(),
            "a released slot is free again"
        );
    }

    #[test]
    fn all_ips_together_get_at_most_total_slots() {
        let limiter = ConnLimiter::new(5, 2);
        let _a = take(&limiter, "192.0.2.1").expect("first");
        let b = take(&limiter, "192.0.2.2").expect("second");
        assert!(take(&limiter, "192.0.2.3").is_none(), "over the total");
        drop(b);
        assert!(take(&limiter, "192.0.2.3").is_some());
    }

    #[test]
    fn released_ips_leave_no_entry_behind() {
        let limiter = ConnLimiter::new(3, 100);
        let guards: Vec<ConnGuard> = (0..50)
            .filter_map(|i| limiter.try_acquire(ip(&format!("10.0.0.{i}"))))
            .collect();
        assert_eq!(limiter.active(), 50);
        assert_eq!(lock(&limiter.counts).per_ip.len(), 50);
        drop(guards);
        assert_eq!(limiter.active(), 0);
        assert!(lock(&limiter.counts).per_ip.is_empty());
    }

    #[test]
    fn a_zero_per_ip_limit_refuses_without_growing_the_map() {
        let limiter = ConnLimiter::new(0, 10);
        assert!(take(&limiter, "192.0.2.1").is_none());
        assert!(lock(&limiter.counts).per_ip.is_empty());
    }

    #[test]
    fn new_limits_reach_every_clone() {
        let limiter = ConnLimiter::new(1, 10);
        let clone = limiter.clone();
        let _a = take(&clone, "192.0.2.1").expect("first");
        assert!(take(&clone, "192.0.2.1").is_none());
        limiter.set_limits(2, 10);
        assert!(take(&clone, "192.0.2.1").is_some());
    }

    #[test]
    fn addresses_of_one_ipv6_slash_64_share_one_count() {
        let limiter = ConnLimiter::new(2, 100);
        let _a = take(&limiter, "2001:db8:1:2::1").expect("first");
        let _b = take(&limiter, "2001:db8:1:2:ffff:ffff:ffff:ffff").expect("second, same /64");
        assert!(
            take(&limiter, "2001:db8:1:2:abcd::7").is_none(),
            "a third address of the same /64 is over the per-IP limit"
        );
        assert_eq!(limiter.active_from(ip("2001:db8:1:2::9")), 2);
        assert!(
            take(&limiter, "2001:db8:1:3::1").is_some(),
            "the next /64 has its own count"
        );
    }

    #[test]
    fn the_slash_64_key_zeroes_the_interface_id_only() {
        assert_eq!(
            client_key(ip("2001:db8:aaaa:bbbb:1:2:3:4")),
            ip("2001:db8:aaaa:bbbb::")
        );
        assert_eq!(client_key(ip("::1")), ip("::"));
        assert_eq!(client_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
    }

    #[test]
    fn ipv4_mapped_ipv6_counts_as_the_ipv4_address() {
        let limiter = ConnLimiter::new(1, 10);
        let _a = take(&limiter, "192.0.2.1").expect("first");
        assert!(take(&limiter, "::ffff:192.0.2.1").is_none());
        assert_eq!(limiter.active_from(ip("::ffff:192.0.2.1")), 1);
    }
}
