//! The dashboard's counters and the live stream's `traffic` events come from typed events
//! emitted where the work happens (crate `event`), not from log text: real SMTP, IMAP and
//! POP3 clients against the real binary, then the typed events read from `/api/events` and
//! the counters from `/api/status`, both parsed as JSON.

use serde_json::{Value, json};
use tests::Options;
use tests::admin::{admin_server_with, expect_status, request};
use tests::events;

#[test]
fn smtp_imap_and_pop3_traffic_arrives_as_typed_events_and_moves_the_counters() {
    let (server, token) = admin_server_with(Options {
        services: vec!["imap".into(), "pop3".into()],
        ..Options::default()
    });
    let status = || -> Value {
        let reply = expect_status(&server, "GET", "/api/status", &token, "-", 200);
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
    let events = events::traffic(&server, &token, "events_actions.py", &args, 6);
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
