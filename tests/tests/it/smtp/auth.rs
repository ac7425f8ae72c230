//! Submission on 587 (STARTTLS then AUTH) and 465 (implicit TLS), and AUTH on port 25.

use super::with_password;
use tests::{PASSWORD, Server, SmtpConn, python_ok};

/// smtplib over 587 with STARTTLS, verifying our self-signed certificate, AUTH PLAIN, then
/// mail to a local and an outside recipient.
const SUBMIT_587: &str = "smtp_auth_submit_587.py";

#[test]
fn submission_587_starttls_auth_plain_delivers_locally_and_queues_outside_mail() {
    let server = Server::start();
    let cert = server.cert_path();
    let port = server.submission.port().to_string();
    let out = python_ok(
        SUBMIT_587,
        &[
            &port,
            cert.to_str().expect("path"),
            "alice@example.test",
            PASSWORD,
        ],
    );
    assert_eq!(out.trim(), "{}");
    let mbox = server.mbox_with("bob@example.test", &["<sub-587@test>"]);
    // RFC 3848: ESMTPSA = ESMTP with TLS and AUTH.
    assert!(mbox.contains("with ESMTPSA"), "{mbox}");
    assert_eq!(
        server.sql("SELECT recipient, sender FROM queue"),
        "friend@remote.test\talice@example.test"
    );
}

#[test]
fn submissions_465_implicit_tls_with_auth_login() {
    let server = Server::start();
    let script = "smtp_auth_465_login.py";
    let cert = server.cert_path();
    let out = python_ok(
        script,
        &[
            &server.submissions.port().to_string(),
            cert.to_str().expect("path"),
            PASSWORD,
        ],
    );
    assert!(out.starts_with("235"), "{out}");
    assert!(out.contains("SENT"), "{out}");
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<sub-465@test>"]
    );
}

#[test]
fn auth_before_starttls_on_587_is_refused_538() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.submission);
    let ehlo = c.cmd("EHLO laptop.test");
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    // base64("\0alice@example.test\0Correct-Horse-9")
    c.expect(
        "AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABDb3JyZWN0LUhvcnNlLTk=",
        "538 5.7.11",
    );
}

#[test]
fn mail_without_auth_on_587_is_refused_530() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.submission);
    c.cmd("EHLO laptop.test");
    c.expect("MAIL FROM:<alice@example.test>", "530 5.7.0");
}

#[test]
fn wrong_password_is_refused_535_and_good_one_then_works() {
    let server = Server::start();
    let out = with_password("smtp_auth_wrong_password.py", server.submissions);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("535 5.7.8"), "{out}");
    assert_eq!(lines[1], "535", "{out}");
    assert_eq!(lines[2], "235", "{out}");
}

#[test]
fn authenticated_session_on_port_25_may_relay() {
    let server = Server::start();
    let out = with_password("smtp_auth_port25_relay.py", server.smtp);
    assert_eq!(out.trim(), "refused 554\n{}");
    assert_eq!(server.sql("SELECT recipient FROM queue"), "x@remote.test");
}

#[test]
fn an_authenticated_user_may_send_only_as_their_own_addresses() {
    let server = Server::start();
    let out = with_password("smtp_auth_own_addresses.py", server.submissions);
    // Another user's address and an outside address are refused (RFC 6409 §8.1); an alias that
    // delivers to alice, her own address in any case, and the null sender are accepted.
    assert_eq!(
        out,
        "bob@example.test 553\nsomeone@elsewhere.test 553\ninfo@example.test 250\nALICE@example.test 250\n<> 250\n"
    );
}
