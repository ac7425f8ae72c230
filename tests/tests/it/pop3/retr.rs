//! RETR (RFC 1939 §7): byte-exact and dot-stuffed, every message of a mixed maildrop (small
//! ones read ahead in batches, large ones streamed), and a 20 MB message streamed without the
//! server ever holding it whole.

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
    c.expect("QUIT", "+OK");
}

#[test]
fn retr_is_byte_exact_and_dot_stuffs_lines_that_start_with_a_dot() {
    let server = server();
    let original: &[u8] = b"Subject: dots\r\nMessage-ID: <dots@test>\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nmiddle . dot\r\n\r\n.\r\nend\r\n";
    deliver(&server, "alice@example.test", original);
    let stored = stored(&server, "alice@example.test", 1);
    // What SMTP stored: our Received header, then the message exactly as sent.
    assert!(stored.ends_with(original));

    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.send(b"RETR 1\r\n");
    assert_eq!(c.line(), format!("+OK {} octets", stored.len()));
    // On the wire every line starting with "." carries one more (RFC 1939 §3).
    let mut wire = Vec::new();
    loop {
        let line = c.raw_line().expect("line");
        if line == b".\r\n" {
            break;
        }
        wire.extend_from_slice(&line);
    }
    let tail: &[u8] =
        b"\r\n..leading dot\r\n...two dots\r\n..\r\nmiddle . dot\r\n\r\n..\r\nend\r\n";
    assert!(wire.ends_with(tail), "{}", String::from_utf8_lossy(&wire));
    // Undoing the stuffing gives the stored bytes exactly.
    let body = c.expect_multi("RETR 1");
    assert_eq!(body, stored);
    assert_eq!(c.cmd("LIST 1"), format!("+OK 1 {}", stored.len()));
}

/// Small messages are read ahead in batches, large ones streamed: reading every message of a
/// mixed maildrop, in order and out of order, with one marked deleted, gives each one exactly.
#[test]
fn every_message_of_a_mixed_maildrop_comes_back_exactly() {
    let server = server();
    let originals: Vec<Vec<u8>> = (0..40)
        .map(|i| {
            let lines = if i == 20 { 2000 } else { 1 + i % 7 };
            let mut m = format!("Subject: m{i}\r\nMessage-ID: <m{i}@test>\r\n\r\n").into_bytes();
            for l in 0..lines {
                m.extend_from_slice(
                    format!(".line {l} of message {i}, long enough to matter\r\n").as_bytes(),
                );
            }
            m
        })
        .collect();
    for m in &originals {
        deliver(&server, "alice@example.test", m);
    }
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("DELE 6", "+OK");
    let (_, listing) = c.multi("LIST");
    let sizes: Vec<usize> = String::from_utf8(listing)
        .expect("utf-8")
        .lines()
        .map(|l| l.split(' ').nth(1).expect("size").parse().expect("n"))
        .collect();
    assert_eq!(sizes.len(), 39);
    assert!(
        sizes.iter().any(|&s| s > 64 * 1024),
        "one message is larger than a chunk"
    );
    let order: Vec<usize> = (1..=40).chain([33, 2, 21, 40]).collect();
    for n in order {
        let (first, body) = c.multi(&format!("RETR {n}"));
        if n == 6 {
            assert_eq!(first, "-ERR message 6 already deleted");
            continue;
        }
        assert!(first.starts_with("+OK"), "RETR {n}: {first}");
        assert!(body.ends_with(&originals[n - 1]), "RETR {n} differs");
        assert_eq!(format!("+OK {} octets", body.len()), first, "RETR {n}");
    }
}
