//! A 20 MB message: RETR streams it byte-exact, and the server never holds it whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tests::pop3::{Pop3, deliver, resident_kib, server, stored};

/// About `size` bytes of CRLF lines; every seventh line starts with a dot, so dot-stuffing
/// happens all through the message and across chunk boundaries.
fn big_message(size: usize) -> Vec<u8> {
    let mut m = b"Subject: big\r\nMessage-ID: <big@test>\r\n\r\n".to_vec();
    let mut i = 0u64;
    while m.len() < size {
        if i.is_multiple_of(7) {
            m.push(b'.');
        }
        m.extend_from_slice(
            format!("{i:010} the quick brown fox jumps over the lazy dog\r\n").as_bytes(),
        );
        i += 1;
    }
    m
}

#[test]
fn retr_of_a_20_mb_message_is_byte_exact_and_streams_in_bounded_memory() {
    const SIZE: usize = 20 * 1024 * 1024;
    let mut server = server();
    let original = big_message(SIZE);
    deliver(&server, "alice@example.test", &original);
    let stored = stored(&server, "alice@example.test", 1);
    assert!(stored.ends_with(&original));
    // A fresh process, so receiving the message over SMTP does not count in what we measure.
    server.stop();
    server.spawn();

    // The baseline is taken after login: checking the password (argon2id) takes about
    // 19 MiB of its own.
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    assert_eq!(c.cmd("LIST 1"), format!("+OK 1 {}", stored.len()));
    let pid = server.pid();
    let baseline = resident_kib(pid);
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(resident_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let (first, body) = c.multi("RETR 1");
    done.store(true, Ordering::Relaxed);
    sampler.join().expect("sampler");
    assert_eq!(first, format!("+OK {} octets", stored.len()));
    assert!(body == stored, "RETR differs from the stored message");
    let grew = peak.load(Ordering::Relaxed).saturating_sub(baseline);
    // Holding the message once would take 20 MB, stuffed a bit more: the chunks, the output
    // buffer and SQLite's page caches stay far below.
    assert!(
        grew < 10 * 1024,
        "RSS grew by {grew} KiB (baseline {baseline} KiB)"
    );
    eprintln!("RSS baseline {baseline} KiB, grew by {grew} KiB during RETR");
    assert!(c.cmd("QUIT").starts_with("+OK"));
}
