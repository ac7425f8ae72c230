use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

/// Maps bounded at this many entries, to keep the tests quick.
const MAX: usize = 500;
const HARD_CAP: usize = MAX * HARD_CAP_FACTOR;

fn lockout(per_ip: u32, per_account: u32) -> Arc<Lockout> {
    let l = Lockout::new(LockoutPolicy {
        per_ip,
        per_account,
        period: Duration::from_secs(900),
    });
    {
        let mut maps = l.lock();
        maps.ips.max = MAX;
        maps.pairs.max = MAX;
        maps.accounts.max = MAX;
    }
    Arc::new(l)
}

/// One failed attempt at `t`.
fn fail(l: &Arc<Lockout>, t: Instant, from: IpAddr, account: &str) -> Result<Duration, Locked> {
    Ok(l.begin_at(t, from, account)?.failed_at(t))
}

#[test]
fn parallel_attempts_are_counted_before_their_passwords_are_checked() {
    let l = lockout(100, 3);
    let t = Instant::now();
    let a = ip("192.0.2.1");
    // Three in flight at once: the fourth is refused before any has failed.
    let held: Vec<Attempt> = (0..3)
        .map(|_| l.begin_at(t, a, "alice").expect("a free slot"))
        .collect();
    assert_eq!(l.begin_at(t, a, "alice").err(), Some(Locked::Account));
    for attempt in held {
        attempt.failed_at(t);
    }
    // Now locked for this address, even for the right password.
    assert_eq!(l.begin_at(t, a, "alice").err(), Some(Locked::Account));
}

#[test]
fn an_attempt_dropped_unresolved_counts_nothing() {
    let l = lockout(100, 1);
    let t = Instant::now();
    let a = ip("192.0.2.1");
    drop(l.begin_at(t, a, "alice").expect("free"));
    let attempt = l.begin_at(t, a, "alice").expect("still free");
    attempt.succeeded();
    assert!(l.lock().pairs.map.is_empty() && l.lock().ips.map.is_empty());
}

#[test]
fn an_address_is_locked_after_its_threshold_and_freed_after_the_period() {
    let l = lockout(3, 100);
    let t = Instant::now();
    let a = ip("192.0.2.1");
    for i in 0..3 {
        fail(&l, t, a, &format!("user{i}")).expect("not locked yet");
    }
    assert_eq!(l.begin_at(t, a, "anyone").err(), Some(Locked::Address));
    assert!(l.begin_at(t, ip("192.0.2.2"), "anyone").is_ok());
    let later = t + Duration::from_secs(900);
    assert!(l.begin_at(later, a, "anyone").is_ok());
}

#[test]
fn an_address_without_failures_may_sign_in_many_times_at_once() {
    let l = lockout(2, 100);
    let t = Instant::now();
    let office = ip("192.0.2.1");
    let held: Vec<Attempt> = (0..20)
        .map(|i| l.begin_at(t, office, &format!("user{i}")).expect("free"))
        .collect();
    held.into_iter().for_each(Attempt::succeeded);
}

#[test]
fn a_stranger_slows_an_account_down_but_cannot_lock_its_owner_out() {
    let l = lockout(100, 3);
    let t = Instant::now();
    let owner = ip("198.51.100.7");
    l.begin_at(t, owner, "alice").expect("free").succeeded();
    // Guesses from many addresses.
    for i in 0..3 {
        fail(&l, t, ip(&format!("203.0.113.{i}")), "Alice").expect("free");
    }
    let stranger = ip("203.0.113.200");
    assert_eq!(l.begin_at(t, stranger, "alice").err(), Some(Locked::Slowed));
    // The owner's known address is not slowed.
    l.begin_at(t, owner, "alice").expect("known").succeeded();
    // After the wait one more attempt, one at a time; each failure doubles the wait.
    let t1 = t + FIRST_SLOWDOWN;
    let one = l.begin_at(t1, stranger, "alice").expect("after the wait");
    assert_eq!(
        l.begin_at(t1, ip("203.0.113.201"), "alice").err(),
        Some(Locked::Slowed)
    );
    one.failed_at(t1);
    let t2 = t1 + FIRST_SLOWDOWN;
    assert_eq!(
        l.begin_at(t2, stranger, "alice").err(),
        Some(Locked::Slowed)
    );
    assert!(
        l.begin_at(t1 + 2 * FIRST_SLOWDOWN, stranger, "alice")
            .is_ok()
    );
    // Another account is not affected.
    assert!(l.begin_at(t, stranger, "bob").is_ok());
}

#[test]
fn failures_outside_the_period_do_not_add_up() {
    let l = lockout(3, 100);
    let a = ip("192.0.2.1");
    let t = Instant::now();
    fail(&l, t, a, "x").expect("free");
    fail(&l, t, a, "x").expect("free");
    let later = t + Duration::from_secs(901);
    fail(&l, later, a, "x").expect("free");
    assert!(l.begin_at(later, a, "x").is_ok());
}

#[test]
fn the_delay_grows_per_failure_up_to_a_cap() {
    let l = lockout(0, 0);
    let t = Instant::now();
    let a = ip("192.0.2.1");
    assert_eq!(fail(&l, t, a, "x"), Ok(Duration::from_millis(200)));
    assert_eq!(fail(&l, t, a, "x"), Ok(Duration::from_millis(400)));
    for _ in 0..30 {
        fail(&l, t, a, "x").expect("thresholds of 0 never lock");
    }
    assert_eq!(fail(&l, t, a, "x"), Ok(MAX_DELAY));
}

#[test]
fn success_forgets_the_account_from_that_address_but_not_the_address() {
    let l = lockout(3, 3);
    let t = Instant::now();
    let a = ip("192.0.2.1");
    fail(&l, t, a, "alice").expect("free");
    fail(&l, t, a, "alice").expect("free");
    l.begin_at(t, a, "alice").expect("free").succeeded();
    fail(&l, t, a, "alice").expect("the count started again");
    assert_eq!(l.begin_at(t, a, "carol").err(), Some(Locked::Address));
}

#[test]
fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
    let l = lockout(2, 100);
    let t = Instant::now();
    fail(&l, t, ip("2001:db8:1:2::1"), "x").expect("free");
    fail(&l, t, ip("2001:db8:1:2:ffff::9"), "y").expect("free");
    assert_eq!(
        l.begin_at(t, ip("2001:db8:1:2::77"), "z").err(),
        Some(Locked::Address)
    );
    assert!(l.begin_at(t, ip("2001:db8:1:3::1"), "z").is_ok());
    fail(&l, t, ip("::ffff:192.0.2.1"), "x").expect("free");
    fail(&l, t, ip("192.0.2.1"), "x").expect("free");
    assert_eq!(
        l.begin_at(t, ip("192.0.2.1"), "z").err(),
        Some(Locked::Address)
    );
}

#[test]
fn a_48_cannot_evict_its_own_locks_by_failing_from_other_64s() {
    let l = lockout(1, 0);
    let t = Instant::now();
    let first = ip("2001:db8:7::1");
    fail(&l, t, first, "x").expect("free");
    for i in 1..(MAX as u32 + 500) {
        let other = IpAddr::V6(std::net::Ipv6Addr::new(
            0x2001,
            0x0db8,
            0x0007,
            (i & 0xffff) as u16,
            0,
            0,
            0,
            1,
        ));
        let _ = fail(&l, t, other, "x");
    }
    assert_eq!(l.begin_at(t, first, "x").err(), Some(Locked::Address));
    assert!(l.lock().ips.map.len() <= HARD_CAP);
}

#[test]
fn memory_stays_bounded_under_a_spray_of_addresses_and_names() {
    let l = lockout(5, 10);
    let t = Instant::now();
    for i in 0..(MAX as u32 + 500) {
        let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000u32 + i));
        let _ = fail(&l, t, a, &format!("user{i}@example.test"));
    }
    let maps = l.lock();
    assert!(maps.ips.map.len() <= MAX);
    assert!(maps.pairs.map.len() <= MAX);
    assert!(maps.accounts.map.len() <= MAX);
}

#[test]
fn when_only_locked_entries_are_left_new_ones_are_refused_at_the_hard_cap() {
    let l = lockout(1, 0);
    let t = Instant::now();
    for i in 0..(HARD_CAP as u32) {
        let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000u32 + i));
        fail(&l, t, a, "x").expect("room");
    }
    let one_more = IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000u32));
    assert_eq!(l.begin_at(t, one_more, "x").err(), Some(Locked::Busy));
    // Once the locks end there is room again.
    assert!(
        l.begin_at(t + Duration::from_secs(900), one_more, "x")
            .is_ok()
    );
}
