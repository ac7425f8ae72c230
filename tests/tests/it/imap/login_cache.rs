//! Remembered logins (the store keeps a successful argon2id check for a few minutes, as
//! Dovecot's auth_cache does, so a client that logs in again and again costs no argon2 run):
//! whatever was remembered, a changed password, a disabled account and the lockout take
//! effect at the next login, in IMAP (RFC 9051 §6.2.3) and POP3 alike.

use tests::admin::{admin_server_with, patch_account};
use tests::imap::ImapConn;
use tests::pop3::Pop3;
use tests::{Options, PASSWORD, Server};

fn server(limits: &[&str]) -> (Server, String) {
    admin_server_with(Options {
        services: vec!["imap".into(), "pop3".into()],
        limits: limits.iter().map(|l| l.to_string()).collect(),
        ..Options::default()
    })
}

/// The tagged answer to `LOGIN user password` on a new connection.
fn login(server: &Server, user: &str, password: &str) -> String {
    let (mut c, _) = ImapConn::connect(server.addr("imap"));
    let r = c.cmd("l", &format!("LOGIN {user} {password}"));
    r.last().cloned().unwrap_or_default()
}

/// Logs in twice: the second login is answered from what the first remembered.
fn log_in_twice(server: &Server, user: &str) {
    for _ in 0..2 {
        let r = login(server, user, PASSWORD);
        assert!(r.starts_with("l OK"), "{r}");
    }
}

#[test]
fn a_changed_password_refuses_the_old_one_at_once() {
    let (server, _) = server(&[]);
    log_in_twice(&server, "alice@example.test");
    server.ok_stdin(
        &[
            "account",
            "passwd",
            "alice@example.test",
            "--password-stdin",
        ],
        "Another-fine-secret-9\n",
    );
    let r = login(&server, "alice@example.test", PASSWORD);
    assert!(r.starts_with("l NO [AUTHENTICATIONFAILED]"), "{r}");
    let mut pop = Pop3::connect(server.addr("pop3"));
    pop.expect("USER alice@example.test", "+OK");
    pop.expect(&format!("PASS {PASSWORD}"), "-ERR [AUTH]");
    let r = login(&server, "alice@example.test", "Another-fine-secret-9");
    assert!(r.starts_with("l OK"), "{r}");
}

#[test]
fn a_disabled_account_is_refused_at_once() {
    let (server, token) = server(&[]);
    log_in_twice(&server, "bob@example.test");
    let patched = patch_account(&server, &token, "bob@example.test", r#"{"disabled":true}"#);
    assert_eq!(patched.status, 204, "{}", patched.body);
    let r = login(&server, "bob@example.test", PASSWORD);
    assert!(r.starts_with("l NO [AUTHENTICATIONFAILED]"), "{r}");
    let mut pop = Pop3::connect(server.addr("pop3"));
    pop.expect("USER bob@example.test", "+OK");
    pop.expect(&format!("PASS {PASSWORD}"), "-ERR [AUTH]");
}

#[test]
fn wrong_passwords_still_count_toward_the_lockout() {
    let (server, _) = server(&[
        "auth_failures_per_ip = 100",
        "auth_failures_per_account = 3",
    ]);
    log_in_twice(&server, "alice@example.test");
    for i in 0..3 {
        let r = login(&server, "alice@example.test", &format!("wrong-guess-{i}"));
        assert!(r.starts_with("l NO [AUTHENTICATIONFAILED]"), "{r}");
    }
    // Locked: the right password, remembered a moment ago, is refused all the same.
    let r = login(&server, "alice@example.test", PASSWORD);
    assert!(r.starts_with("l NO [UNAVAILABLE]"), "{r}");
    let mut pop = Pop3::connect(server.addr("pop3"));
    pop.expect("USER alice@example.test", "+OK");
    pop.expect(&format!("PASS {PASSWORD}"), "-ERR [SYS/TEMP]");
    // Other accounts are not: bob's login goes on.
    log_in_twice(&server, "bob@example.test");
}
