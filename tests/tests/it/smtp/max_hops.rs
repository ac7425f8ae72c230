//! `[limits] max_hops`, a setting added by its declaration alone (crates/config `limits.rs`)
//! plus its use: the SMTP end-of-DATA loop check reads it, the panel's schema serves its
//! label, help and range, and the settings API edits it like every declared key.

use tests::admin::{admin_server_with, expect_status, request};
use tests::{Options, SmtpConn, message};

/// A message with `hops` Received fields above the usual header.
fn with_hops(hops: usize, id: &str) -> String {
    let received =
        "Received: from relay.outside.test by mx.outside.test; Fri, 27 Nov 2026 10:00:00 +0000\r\n";
    format!("{}{}", received.repeat(hops), message(id, "hops"))
}

/// The reply to DATA with `body` sent to alice on port 25.
fn deliver(server: &tests::Server, body: &str) -> String {
    let mut smtp = SmtpConn::connect(server.addr("smtp"));
    smtp.start_mail("alice@example.test");
    smtp.expect("DATA", "354");
    smtp.send(body.as_bytes());
    smtp.cmd(".")
}

#[test]
fn max_hops_refuses_a_message_with_more_received_headers_and_is_in_the_schema() {
    let (server, token) = admin_server_with(Options {
        limits: vec!["max_hops = 12".into()],
        ..Options::default()
    });
    // RFC 5321 §6.3: at the limit the message is taken; one more hop is a loop. Our own
    // Received field counts: 11 sent make 12.
    let at_limit = deliver(&server, &with_hops(11, "twelve@outside.test"));
    assert!(at_limit.starts_with("250"), "{at_limit}");
    let over = deliver(&server, &with_hops(12, "thirteen@outside.test"));
    assert!(over.starts_with("554 5.4.6"), "{over}");
    assert!(over.contains("at most 12"), "{over}");
    let ids = server.message_ids("alice@example.test");
    assert!(ids.iter().any(|id| id.contains("twelve")), "{ids:?}");
    assert!(!ids.iter().any(|id| id.contains("thirteen")), "{ids:?}");

    // The panel gets its label, help and range from the schema.
    let reply = expect_status(&server, "GET", "/api/settings/schema", &token, "-", 200);
    let schema: serde_json::Value = serde_json::from_str(&reply.body).expect("schema JSON");
    let hops = schema
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["path"] == "limits.max_hops")
        .unwrap_or_else(|| panic!("limits.max_hops in {}", reply.body));
    assert_eq!(hops["kind"], "integer");
    assert_eq!(hops["min"], 10);
    assert_eq!(hops["max"], 1000);
    assert_eq!(hops["default"], 100);
    assert_eq!(hops["live"], true);
    assert!(hops["label"]["zh"].as_str().is_some_and(|l| !l.is_empty()));

    // Out of its declared range, the settings API refuses it naming the key; in range, it
    // applies without a restart.
    let put = |body: &str, status: u16| -> serde_json::Value {
        let reply = request(&server, "PUT", "/api/settings", &token, body);
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        serde_json::from_str(&reply.body).expect("JSON answer")
    };
    let bad = put(r#"{"limits":{"max_hops":5}}"#, 400);
    assert_eq!(bad["field"], "limits.max_hops");
    assert_eq!(
        bad["message"],
        "limits.max_hops: must be between 10 and 1000, found 5"
    );
    let good = put(r#"{"limits":{"max_hops":20}}"#, 200);
    assert_eq!(good["applied"], serde_json::json!(["limits.max_hops"]));
    let now = deliver(&server, &with_hops(12, "thirteen-again@outside.test"));
    assert!(now.starts_with("250"), "{now}");
}
