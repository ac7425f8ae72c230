//! The retry schedule: after the n-th failed attempt wait `retry[n-1]` (the last wait
//! repeats), until the message is `give_up_after` old; then it fails.

use std::time::Duration;

/// When to try again after `attempts` failed attempts (this one included), or `None` when
/// the message is too old and must fail. Times are Unix seconds.
pub fn next_attempt(
    queue: &config::Queue,
    attempts: u32,
    created_at: i64,
    now: i64,
) -> Option<i64> {
    let give_up = created_at.saturating_add(secs(queue.give_up_after));
    if now >= give_up {
        return None;
    }
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    let wait = queue
        .retry
        .get(index)
        .or(queue.retry.last())
        .copied()
        .unwrap_or(Duration::from_secs(300));
    // The last attempt is made at the give-up time, not skipped past it.
    Some(now.saturating_add(secs(wait)).min(give_up))
}

/// Whether the delay notice is due now.
pub fn delay_notice_due(queue: &config::Queue, created_at: i64, now: i64) -> bool {
    now.saturating_sub(created_at) >= secs(queue.delay_notice_after)
}

/// When retries stop, for the delay notice.
pub fn give_up_at(queue: &config::Queue, created_at: i64) -> i64 {
    created_at.saturating_add(secs(queue.give_up_after))
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_backs_off_then_repeats_every_four_hours_until_five_days() {
        let q = config::Queue::default();
        let min = 60;
        assert_eq!(next_attempt(&q, 1, 0, 0), Some(5 * min));
        assert_eq!(next_attempt(&q, 2, 0, 100), Some(100 + 10 * min));
        assert_eq!(next_attempt(&q, 6, 0, 1000), Some(1000 + 240 * min));
        assert_eq!(next_attempt(&q, 30, 0, 1000), Some(1000 + 240 * min));
        let five_days = 5 * 86_400;
        assert_eq!(next_attempt(&q, 30, 0, five_days - 10), Some(five_days));
        assert_eq!(next_attempt(&q, 31, 0, five_days), None);
        assert!(!delay_notice_due(&q, 0, 239 * min));
        assert!(delay_notice_due(&q, 0, 240 * min));
    }
}
