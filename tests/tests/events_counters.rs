//! The dashboard's counters and the live stream's `traffic` events come from typed events
//! emitted where the work happens (crate `event`), not from log text: real SMTP, IMAP and
//! POP3 clients against the real binary, then the typed events read from `/api/events` and
//! the counters from `/api/status`, both parsed as JSON.

mod admin_support;
mod events_support;

use admin_support::{admin_server_with, request};
use serde_json::{Value, json};
use tests::Options;

/// RCPT to an unknown local user and to an outside domain (refused), one message accepted,
/// a wrong password over SMTP AUTH (after STARTTLS), IMAP LOGIN and POP3 USER/PASS.
const ACTIONS: &str = r#"
import ssl, smtplib, imaplib, poplib
smtp, submission, imap, pop3 = args
with smtplib.SMTP('127.0.0.1', int(smtp), timeout=30) as s:
    s.ehlo('client.test')
    s.mail('x@outside.test')
    assert s.rcpt('nobody@example.test')[0] == 550
    assert s.rcpt('someone@elsewhere.test')[0] == 554
    assert s.rcpt('alice@example.test')[0] == 250
    s.data(b'Subject: events\r\nMessage-ID: <events@test>\r\n\r\nhello\r\n')
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', int(submission), timeout=30) as s:
    s.starttls(context=tls)
    s.ehlo('client.test')
    # One AUTH PLAIN (smtplib's login() would try LOGIN after PLAIN: two failures).
    s.user, s.password = 'alice@example.test', 'wrong password'
    try:
        s.auth('PLAIN', s.auth_plain)
        raise SystemExit('SMTP AUTH with a wrong password succeeded')
    except smtplib.SMTPAuthenticationError:
        pass
i = imaplib.IMAP4('127.0.0.1', int(imap))
try:
    i.login('alice@example.test', 'wrong password')
    raise SystemExit('IMAP LOGIN with a wrong password succeeded')
except imaplib.IMAP4.error:
    pass
i.logout()
p = poplib.POP3('127.0.0.1', int(pop3), timeout=30)
p.user('alice@example.test')
try:
    p.pass_('wrong password')
    raise SystemExit('POP3 PASS with a wrong password succeeded')
except poplib.error_proto:
    pass
p.quit()
"#;

#[test]
fn smtp_imap_and_pop3_traffic_arrives_as_typed_events_and_moves_the_counters() {
    let (server, token) = admin_server_with(Options {
        services: vec!["imap".into(), "pop3".into()],
        ..Options::default()
    });
    let status = || -> Value {
        let reply = request(&server, "GET", "/api/status", &token, "-");
        assert_eq!(reply.status, 200, "{}", reply.body);
        serde_json::from_str(&reply.body).expect("status JSON")
    };
    assert_eq!(
        status()["counters"],
        json!({"received": 0, "rejected": 0, "auth_failures": 0,
               "delivered": 0, "deferred": 0, "bounced": 0})
    );

    let ports = [
        server.smtp.port(),
        server.submission.port(),
        server.addr("imap").port(),
        server.addr("pop3").port(),
    ]
    .map(|p| p.to_string());
    let args: Vec<&str> = ports.iter().map(String::as_str).collect();
    let events = events_support::traffic(&server, &token, ACTIONS, &args, 6);
    // One message to alice: the Received header makes it larger than what was sent.
    let size = events
        .get(2)
        .and_then(|e| e["size"].as_u64())
        .unwrap_or_else(|| panic!("no accepted event in {events:?}\n{}", server.log()));
    assert!(size > 40, "{size}");
    assert_eq!(
        events,
        [
            json!({"kind": "rejected", "reason": "unknown_recipient"}),
            json!({"kind": "rejected", "reason": "relay_denied"}),
            json!({"kind": "accepted", "size": size, "recipients": 1, "authenticated": false}),
            json!({"kind": "login_failed", "protocol": "smtp"}),
            json!({"kind": "login_failed", "protocol": "imap"}),
            json!({"kind": "login_failed", "protocol": "pop3"}),
        ],
        "{}",
        server.log()
    );
    // Counted before each reply went out, so the counters already show all of it.
    let status = status();
    assert_eq!(
        status["counters"],
        json!({"received": 1, "rejected": 2, "auth_failures": 3,
               "delivered": 0, "deferred": 0, "bounced": 0})
    );
    let now = &status["history"][23];
    assert_eq!(
        (&now["received"], &now["rejected"], &now["auth_failures"]),
        (&json!(1), &json!(2), &json!(3))
    );
    // The live log still has the human-readable lines; the counters never read them.
    let log = request(&server, "GET", "/api/log?limit=100", &token, "-");
    let log: Value = serde_json::from_str(&log.body).expect("log JSON");
    assert!(
        log.as_array()
            .expect("entries")
            .iter()
            .any(|e| e["target"].as_str().is_some_and(|t| t.starts_with("smtp"))),
        "{log}"
    );
    assert!(
        server
            .export("alice@example.test")
            .contains("<events@test>")
    );
}
