//! Submission on 587 (STARTTLS then AUTH) and 465 (implicit TLS), and AUTH on port 25.

use tests::{PASSWORD, Server, SmtpConn, python_ok};

/// smtplib over 587 with STARTTLS, verifying our self-signed certificate, AUTH PLAIN, then
/// mail to a local and an outside recipient.
const SUBMIT_587: &str = r#"
import smtplib, ssl, sys
port, cafile, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False
with smtplib.SMTP('127.0.0.1', port, timeout=30) as s:
    s.ehlo('laptop.test')
    assert s.has_extn('starttls') and not s.has_extn('auth'), s.ehlo_resp
    s.starttls(context=ctx)
    s.ehlo('laptop.test')
    assert 'PLAIN' in s.esmtp_features['auth'], s.esmtp_features
    s.login(user, password)
    msg = b'From: alice@example.test\r\nSubject: out\r\nMessage-ID: <sub-587@test>\r\n\r\nhello\r\n'
    print(s.sendmail('alice@example.test', ['bob@example.test', 'friend@remote.test'], msg))
"#;

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
    let mbox = server.export("bob@example.test");
    assert!(mbox.contains("<sub-587@test>"), "{mbox}");
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
    let script = r#"
import smtplib, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
ctx.check_hostname = False
with smtplib.SMTP_SSL('127.0.0.1', port, context=ctx, timeout=30) as s:
    s.ehlo('phone.test')
    s.user, s.password = 'bob@example.test', sys.argv[3]
    print(*s.auth('LOGIN', s.auth_login, initial_response_ok=False))
    s.sendmail('bob@example.test', ['alice@example.test'], b'Subject: 465\r\nMessage-ID: <sub-465@test>\r\n\r\nhi\r\n')
print('SENT')
"#;
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
    let r = c.cmd("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABDb3JyZWN0LUhvcnNlLTk=");
    assert!(r.starts_with("538 5.7.11"), "{r}");
}

#[test]
fn mail_without_auth_on_587_is_refused_530() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.submission);
    c.cmd("EHLO laptop.test");
    let r = c.cmd("MAIL FROM:<alice@example.test>");
    assert!(r.starts_with("530 5.7.0"), "{r}");
}

#[test]
fn wrong_password_is_refused_535_and_good_one_then_works() {
    let server = Server::start();
    let script = r#"
import smtplib, ssl, sys
ctx = ssl._create_unverified_context()
with smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=30) as s:
    try:
        s.login('alice@example.test', 'wrong-password-1')
        print('ACCEPTED')
    except smtplib.SMTPAuthenticationError as e:
        print(e.smtp_code, e.smtp_error.decode())
    try:
        s.login('nobody@example.test', sys.argv[2])
        print('ACCEPTED')
    except smtplib.SMTPAuthenticationError as e:
        print(e.smtp_code)
    print(s.login('alice@example.test', sys.argv[2])[0])
"#;
    let out = python_ok(script, &[&server.submissions.port().to_string(), PASSWORD]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("535 5.7.8"), "{out}");
    assert_eq!(lines[1], "535", "{out}");
    assert_eq!(lines[2], "235", "{out}");
}

#[test]
fn authenticated_session_on_port_25_may_relay() {
    let server = Server::start();
    let script = r#"
import smtplib, ssl, sys
ctx = ssl._create_unverified_context()
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30) as s:
    s.ehlo('office.test')
    try:
        s.sendmail('dave@example.test', ['x@remote.test'], b'Subject: a\r\n\r\nb\r\n')
    except smtplib.SMTPRecipientsRefused as e:
        print('refused', e.recipients['x@remote.test'][0])
    s.starttls(context=ctx)
    s.ehlo('office.test')
    s.login('dave@example.test', sys.argv[2])
    print(s.sendmail('dave@example.test', ['x@remote.test'], b'Subject: a\r\n\r\nb\r\n'))
"#;
    let out = python_ok(script, &[&server.smtp.port().to_string(), PASSWORD]);
    assert_eq!(out.trim(), "refused 554\n{}");
    assert_eq!(server.sql("SELECT recipient FROM queue"), "x@remote.test");
}

#[test]
fn an_authenticated_user_may_send_only_as_their_own_addresses() {
    let server = Server::start();
    let script = r#"
import smtplib, ssl, sys
ctx = ssl._create_unverified_context()
with smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=30) as s:
    s.login('alice@example.test', sys.argv[2])
    for sender in ['bob@example.test', 'someone@elsewhere.test', 'info@example.test', 'ALICE@example.test', '']:
        code, _ = s.mail(sender)
        print(sender or '<>', code)
        s.rset()
"#;
    let out = python_ok(script, &[&server.submissions.port().to_string(), PASSWORD]);
    // Another user's address and an outside address are refused (RFC 6409 §8.1); an alias that
    // delivers to alice, her own address in any case, and the null sender are accepted.
    assert_eq!(
        out,
        "bob@example.test 553\nsomeone@elsewhere.test 553\ninfo@example.test 250\nALICE@example.test 250\n<> 250\n"
    );
}
