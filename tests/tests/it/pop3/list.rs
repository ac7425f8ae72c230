//! STAT, LIST and UIDL (RFC 1939 §5, §7): poplib reading a maildrop, UIDs stable across
//! sessions and never reused, a deleted message's number refused.

use tests::pop3::{Pop3, deliver, message, server};

/// poplib against a maildrop of three messages: STAT, LIST, UIDL, RETR, TOP, DELE, RSET.
#[test]
fn poplib_reads_the_maildrop_with_stat_list_uidl_retr_top() {
    let server = server();
    for id in ["one@test", "two@test", "three@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    let out = tests::pop3::run_script(&server, "pop3_list_poplib.py");
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

/// The unique ids of a UIDL listing, in message order.
fn uidl(c: &mut Pop3) -> Vec<String> {
    let listing = c.expect_multi("UIDL");
    String::from_utf8(listing)
        .expect("utf-8")
        .lines()
        .map(|l| l.split(' ').nth(1).expect("id").to_string())
        .collect()
}

#[test]
fn uidl_is_stable_across_sessions_and_never_reused_after_deletion() {
    let server = server();
    for id in ["a@test", "b@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let ids = uidl(&mut c);
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    // RFC 1939 §7: 1 to 70 characters in 0x21..0x7E.
    assert!(
        ids.iter()
            .all(|id| id.bytes().all(|b| (0x21..=0x7e).contains(&b)))
    );
    assert_eq!(c.cmd("UIDL 2"), format!("+OK 2 {}", ids[1]));
    c.expect("DELE 1", "+OK");
    c.expect("QUIT", "+OK");

    deliver(&server, "alice@example.test", &message("c@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let ids2 = uidl(&mut c);
    // b kept its id though it is message 1 now; c got a new one, not a's.
    assert_eq!(ids2[0], ids[1]);
    assert_eq!(ids2.len(), 2);
    assert!(!ids.contains(&ids2[1]), "{ids:?} {ids2:?}");
}

#[test]
fn list_and_retr_of_a_deleted_message_are_refused() {
    let server = server();
    deliver(&server, "alice@example.test", &message("x@test"));
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("DELE 1", "+OK");
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
