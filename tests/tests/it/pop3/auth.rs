//! Logging in: USER/PASS (RFC 1939 §7), AUTH PLAIN and LOGIN (RFC 5034), and the lockout
//! after repeated failures, shared with SMTP AUTH.

use std::time::{Duration, Instant};

use tests::pop3::{Pop3, server, server_with};
use tests::{PASSWORD, python_ok};

/// base64 of "\0alice@example.test\0PASSWORD".
fn plain(user: &str, password: &str) -> String {
    python_ok("pop3_auth_plain.py", &[user, password])
        .trim()
        .to_string()
}

fn b64(text: &str) -> String {
    python_ok("pop3_auth_b64.py", &[text]).trim().to_string()
}

#[test]
fn user_pass_from_loopback_without_tls_logs_in() {
    let server = server();
    let out = tests::pop3::run_script(&server, "pop3_auth_user_pass.py");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("+OK"), "{out}");
    assert_eq!(lines[1], "+OK maildrop has 0 messages (0 octets)", "{out}");
    assert!(lines[2].starts_with("+OK"), "{out}");
}

#[test]
fn wrong_password_and_unknown_user_get_the_same_auth_error() {
    let server = server();
    let mut c = Pop3::connect(server.addr("pop3"));
    // USER never says whether the name exists (RFC 1939 §13).
    c.expect("USER nobody@example.test", "+OK");
    assert_eq!(
        c.cmd(&format!("PASS {PASSWORD}")),
        "-ERR [AUTH] invalid user name or password"
    );
    c.expect("USER alice@example.test", "+OK");
    assert_eq!(
        c.cmd("PASS wrong-password"),
        "-ERR [AUTH] invalid user name or password"
    );
    // The failed PASS forgot the USER: PASS alone is out of order.
    assert_eq!(c.cmd(&format!("PASS {PASSWORD}")), "-ERR send USER first");
    c.expect("USER alice@example.test", "+OK");
    c.expect(&format!("PASS {PASSWORD}"), "+OK");
}

#[test]
fn auth_plain_with_and_without_initial_response() {
    let server = server();
    let response = plain("alice@example.test", PASSWORD);
    let mut c = Pop3::connect(server.addr("pop3"));
    c.expect(&format!("AUTH PLAIN {response}"), "+OK maildrop has");
    c.expect("QUIT", "+OK");

    let mut c = Pop3::connect(server.addr("pop3"));
    // RFC 5034 §4: without an initial response the server sends an empty challenge.
    assert_eq!(c.cmd("AUTH PLAIN"), "+");
    c.expect(&response, "+OK");
}

#[test]
fn auth_login_prompts_for_user_and_password() {
    let server = server();
    let mut c = Pop3::connect(server.addr("pop3"));
    assert_eq!(c.cmd("AUTH LOGIN"), "+ VXNlcm5hbWU6");
    assert_eq!(c.cmd(&b64("bob@example.test")), "+ UGFzc3dvcmQ6");
    c.expect(&b64(PASSWORD), "+OK");
    // Logged in: AUTH is a command of the AUTHORIZATION state only.
    assert_eq!(c.cmd("AUTH LOGIN"), "-ERR not allowed after login");
}

#[test]
fn auth_cancelled_unknown_or_malformed_is_refused_and_the_session_goes_on() {
    let server = server();
    let mut c = Pop3::connect(server.addr("pop3"));
    // The list of mechanisms, for clients that ask with a bare AUTH.
    let list = c.expect_multi("AUTH");
    assert_eq!(list, b"PLAIN\r\nLOGIN\r\n");
    // Not a mechanism we offer.
    c.expect("AUTH CRAM-MD5", "-ERR unsupported mechanism");
    // RFC 5034 §4: "*" cancels.
    assert_eq!(c.cmd("AUTH LOGIN"), "+ VXNlcm5hbWU6");
    assert_eq!(c.cmd("*"), "-ERR authentication cancelled");
    // Not base64.
    assert_eq!(c.cmd("AUTH PLAIN !!!"), "-ERR cannot decode the response");
    // Acting as another user (authzid) is not supported.
    let as_bob = python_ok("pop3_auth_plain_authzid.py", &[PASSWORD]);
    assert_eq!(
        c.cmd(&format!("AUTH PLAIN {}", as_bob.trim())),
        "-ERR [AUTH] logging in as another user is not supported"
    );
    // APOP needs a shared secret that hashed passwords cannot give.
    c.expect("APOP alice@example.test 0123456789abcdef", "-ERR APOP");
    c.expect(
        &format!("AUTH PLAIN {}", plain("alice@example.test", PASSWORD)),
        "+OK",
    );
}

#[test]
fn repeated_failures_from_one_address_lock_it_out_even_with_a_right_password() {
    let server = server_with(&[
        "auth_failures_per_ip = 3",
        "auth_failures_per_account = 100",
    ]);
    let mut c = Pop3::connect(server.addr("pop3"));
    let started = Instant::now();
    for i in 0..3 {
        c.expect(&format!("USER user{i}@example.test"), "+OK");
        c.expect("PASS guess", "-ERR [AUTH]");
    }
    // Each failure waits 200 ms more than the last: 0.2 + 0.4 + 0.6 s.
    assert!(
        started.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    // Locked: the right password of a real account from this address is refused, with a
    // temporary code so clients try later rather than ask for a new password.
    c.expect("USER bob@example.test", "+OK");
    assert_eq!(
        c.cmd(&format!("PASS {PASSWORD}")),
        "-ERR [SYS/TEMP] too many failed logins; try again later"
    );
    let mut fresh = Pop3::connect(server.addr("pop3"));
    fresh.expect(
        &format!("AUTH PLAIN {}", plain("bob@example.test", PASSWORD)),
        "-ERR [SYS/TEMP]",
    );
    // The lockout is shared with SMTP AUTH: 454 4.7.0 there.
    let out = python_ok(
        "pop3_auth_lock_address_smtp.py",
        &[&server.submissions.port().to_string(), PASSWORD],
    );
    assert!(out.starts_with("454 4.7.0"), "{out}");
}

#[test]
fn repeated_failures_for_one_account_lock_the_account_across_protocols() {
    let server = server_with(&[
        "auth_failures_per_ip = 100",
        "auth_failures_per_account = 3",
    ]);
    // Two failures over SMTP AUTH (smtplib's login tries PLAIN, then LOGIN) and one over
    // POP3 add up for alice.
    let out = python_ok(
        "pop3_auth_lock_account_smtp.py",
        &[&server.submissions.port().to_string()],
    );
    assert_eq!(out, "535\n");
    assert_eq!(server.log().matches("authentication failed").count(), 2);
    let mut c = Pop3::connect(server.addr("pop3"));
    c.cmd("USER alice@example.test");
    c.expect("PASS wrong-3", "-ERR [AUTH]");
    // alice is locked, even with her password.
    c.cmd("USER alice@example.test");
    c.expect(&format!("PASS {PASSWORD}"), "-ERR [SYS/TEMP]");
    // bob, from the same address, is not.
    c.cmd("USER bob@example.test");
    c.expect(&format!("PASS {PASSWORD}"), "+OK");
}

#[test]
fn a_lockout_ends_after_its_period() {
    let server = server_with(&["auth_failures_per_ip = 2", "auth_lockout_secs = 2"]);
    let mut c = Pop3::connect(server.addr("pop3"));
    for _ in 0..2 {
        c.cmd("USER alice@example.test");
        c.expect("PASS nope-nope", "-ERR [AUTH]");
    }
    c.cmd("USER alice@example.test");
    c.expect(&format!("PASS {PASSWORD}"), "-ERR [SYS/TEMP]");
    // Not a synchronisation: the lockout's period (2 s) passing is what is tested.
    std::thread::sleep(Duration::from_millis(2200));
    c.cmd("USER alice@example.test");
    c.expect(&format!("PASS {PASSWORD}"), "+OK");
}
