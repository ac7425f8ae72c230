//! The TRANSACTION commands (RFC 1939 §5, §7) with Python's poplib and exact raw exchanges:
//! STAT, LIST, UIDL, RETR, TOP, NOOP, RSET, CAPA.

use tests::pop3::{Pop3, deliver, message, server, stored};
use tests::{PASSWORD, python_ok};

/// poplib against a maildrop of three messages: STAT, LIST, UIDL, RETR, TOP, DELE, RSET.
#[test]
fn poplib_reads_the_maildrop_with_stat_list_uidl_retr_top() {
    let server = server();
    for id in ["one@test", "two@test", "three@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    let script = "pop3_commands_poplib.py";
    let out = python_ok(script, &[&server.addr("pop3").port().to_string(), PASSWORD]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("STAT 3 "), "{out}");
    let octets: u64 = lines[0]
        .split(' ')
        .nth(2)
        .expect("octets")
        .parse()
        .expect("n");
    assert_eq!(lines[1], "LIST 3 True", "{out}");
    assert_eq!(lines[2], "UIDL 3 True", "{out}");
    assert_eq!(lines[3], "RETR True True", "{out}");
    assert_eq!(lines[4], "TOP True False", "{out}");
    assert_eq!(lines[5], "DELE +OK message 1 deleted", "{out}");
    // A deleted message no longer counts (RFC 1939 §5).
    assert!(lines[6].starts_with("STAT 2 "), "{out}");
    assert!(lines[7].starts_with("RSET +OK"), "{out}");
    assert_eq!(lines[8], format!("STAT 3 {octets}"), "{out}");
    assert_eq!(lines[9], "NOOP +OK", "{out}");
    assert!(lines[10].starts_with("QUIT +OK"), "{out}");
    // RSET undid the DELE, so QUIT removed nothing.
    assert_eq!(tests::pop3::inbox_count(&server, "alice@example.test"), 3);
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
    let (first, body) = c.multi("RETR 1");
    assert!(first.starts_with("+OK"));
    assert_eq!(body, stored);
    assert_eq!(c.cmd("LIST 1"), format!("+OK 1 {}", stored.len()));
}

#[test]
fn top_sends_the_header_and_the_first_n_body_lines() {
    let server = server();
    deliver(
        &server,
        "alice@example.test",
        b"Subject: top\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n",
    );
    let stored = stored(&server, "alice@example.test", 1);
    let header_end = stored
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("blank line")
        + 4;
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let (_, zero) = c.multi("TOP 1 0");
    assert_eq!(zero, &stored[..header_end]);
    let (_, two) = c.multi("TOP 1 2");
    assert_eq!(
        two,
        [&stored[..header_end], b"line 1\r\n.line 2\r\n"].concat()
    );
    let (_, all) = c.multi("TOP 1 100");
    assert_eq!(all, stored);
    // Message 2 does not exist.
    assert_eq!(c.cmd("TOP 2 1"), "-ERR no such message");
}

#[test]
fn uidl_is_stable_across_sessions_and_never_reused_after_deletion() {
    let server = server();
    deliver(&server, "alice@example.test", &message("a@test"));
    deliver(&server, "alice@example.test", &message("b@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let (_, first) = c.multi("UIDL");
    let first = String::from_utf8(first).expect("utf-8");
    let ids: Vec<&str> = first
        .lines()
        .map(|l| l.split(' ').nth(1).expect("id"))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    // RFC 1939 §7: 1 to 70 characters in 0x21..0x7E.
    assert!(
        ids.iter()
            .all(|id| id.bytes().all(|b| (0x21..=0x7e).contains(&b)))
    );
    assert_eq!(c.cmd("UIDL 2"), format!("+OK 2 {}", ids[1]));
    assert!(c.cmd("DELE 1").starts_with("+OK"));
    assert!(c.cmd("QUIT").starts_with("+OK"));

    deliver(&server, "alice@example.test", &message("c@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let (_, second) = c.multi("UIDL");
    let second = String::from_utf8(second).expect("utf-8");
    let ids2: Vec<&str> = second
        .lines()
        .map(|l| l.split(' ').nth(1).expect("id"))
        .collect();
    // b kept its id though it is message 1 now; c got a new one, not a's.
    assert_eq!(ids2[0], ids[1]);
    assert_eq!(ids2.len(), 2);
    assert!(!ids.contains(&ids2[1]), "{ids:?} {ids2:?}");
}

#[test]
fn capa_lists_per_state_capabilities() {
    let server = server();
    let mut c = Pop3::connect(server.addr("pop3"));
    let (first, before) = c.multi("CAPA");
    assert!(first.starts_with("+OK"));
    let before = String::from_utf8(before).expect("utf-8");
    for cap in [
        "TOP",
        "UIDL",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "PIPELINING",
        "USER",
        "SASL PLAIN LOGIN",
        "STLS",
        "IMPLEMENTATION Postroom",
    ] {
        assert!(before.lines().any(|l| l == cap), "{cap} missing: {before}");
    }
    assert!(c.cmd("USER alice@example.test").starts_with("+OK"));
    assert!(c.cmd(&format!("PASS {PASSWORD}")).starts_with("+OK"));
    let (_, after) = c.multi("CAPA");
    let after = String::from_utf8(after).expect("utf-8");
    // Logged in: nothing to log in or encrypt with (RFC 2449 §5).
    assert!(after.lines().any(|l| l == "UIDL"), "{after}");
    assert!(
        !after
            .lines()
            .any(|l| l == "USER" || l == "STLS" || l.starts_with("SASL")),
        "{after}"
    );
}

#[test]
fn list_and_retr_of_a_deleted_message_are_refused() {
    let server = server();
    deliver(&server, "alice@example.test", &message("x@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    assert!(c.cmd("DELE 1").starts_with("+OK"));
    // RFC 1939 §5: a message marked deleted may not be referred to.
    assert_eq!(c.cmd("LIST 1"), "-ERR message 1 already deleted");
    assert_eq!(c.cmd("RETR 1"), "-ERR message 1 already deleted");
    assert_eq!(c.cmd("DELE 1"), "-ERR message 1 already deleted");
    assert_eq!(c.cmd("UIDL 1"), "-ERR message 1 already deleted");
    let (first, body) = c.multi("LIST");
    assert_eq!(first, "+OK 0 messages (0 octets)");
    assert!(body.is_empty());
    assert_eq!(c.cmd("STAT"), "+OK 0 0");
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
    assert!(c.cmd("DELE 6").starts_with("+OK"));
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
