//! The admin HTTP API against the real binary, driven by Python's urllib: authentication
//! (token, wrong token, session cookie), request limits, domains, accounts and aliases made
//! through the API and then used by smtplib, the counters and the live log, the event stream,
//! queue control and settings edits that keep postroom.toml's comments.

use std::time::Duration;

use serde_json::json;
use tests::admin::{
    account, admin_server, expect_status, find, has, patch_account, put_settings, request,
    settings_applied, sign_in,
};
use tests::{python_ok, wait_for};

/// Reads the event stream until a line contains WANT (prints it) or 20 s pass; the mail is
/// sent once the stream is open.
const EVENTS: &str = "admin_api_events.py";

/// The messages received so far, from `GET /api/status`.
fn received(server: &tests::Server, token: &str) -> u64 {
    let status = request(server, "GET", "/api/status", token, "-").json();
    status["counters"]["received"]
        .as_u64()
        .unwrap_or_else(|| panic!("no counters.received in {status}"))
}

#[test]
fn requests_need_the_token_or_a_session_cookie() {
    let (server, token) = admin_server("");
    assert_eq!(token.len(), 64, "{token}");

    let ok = expect_status(&server, "GET", "/api/status", &token, "-", 200);
    let status = ok.json();
    assert!(has(&status["listeners"], "service", "admin"), "{}", ok.body);
    assert!(status["uptime_secs"].is_u64(), "{}", ok.body);

    // No token.
    let none = request(&server, "GET", "/api/status", "-", "-");
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["code"], "unauthorized", "{}", none.body);
    // A wrong token of the right length.
    expect_status(&server, "GET", "/api/domains", &"0".repeat(64), "-", 401);
    // Signing in with a wrong token gives no cookie.
    let bad = sign_in(&server, r#"{"token":"nope"}"#);
    assert_eq!(bad.status, 401);
    assert!(bad.cookie().is_empty());

    let signed = sign_in(&server, &format!(r#"{{"token":"{token}"}}"#));
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert!(
        signed.cookie().contains("HttpOnly") && signed.cookie().contains("SameSite=Strict"),
        "{}",
        signed.cookie()
    );
    let cookie = signed
        .cookie()
        .split(';')
        .next()
        .expect("cookie")
        .to_string();
    let with_cookie = expect_status(
        &server,
        "GET",
        "/api/domains",
        &format!("cookie:{cookie}"),
        "-",
        200,
    );
    assert!(
        has(&with_cookie.json(), "name", "example.test"),
        "{}",
        with_cookie.body
    );
    // A made-up session is refused.
    let forged = request(
        &server,
        "GET",
        "/api/domains",
        "cookie:postroom_session=abc",
        "-",
    );
    assert_eq!(forged.status, 401);

    // The web UI (or the page saying how to build it) needs no sign-in and loads nothing
    // from elsewhere.
    let page = request(&server, "GET", "/", "-", "-");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<title>Postroom</title>") && !page.body.contains("http"),
        "{}",
        page.body
    );
}

#[test]
fn oversized_and_malformed_bodies_get_json_errors() {
    let (server, token) = admin_server("");
    let big = expect_status(&server, "POST", "/api/domains", &token, "@big", 413);
    assert_eq!(big.json()["code"], "too_large", "{}", big.body);

    let malformed = request(&server, "POST", "/api/domains", &token, "{\"name\": ");
    assert_eq!(malformed.status, 400);
    let error = malformed.json();
    assert_eq!(error["code"], "invalid", "{}", malformed.body);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("malformed JSON")),
        "{}",
        malformed.body
    );

    // A duplicate is a conflict with its own code; an unknown endpoint is JSON too.
    let dup = expect_status(
        &server,
        "POST",
        "/api/domains",
        &token,
        r#"{"name":"example.test"}"#,
        409,
    );
    assert_eq!(dup.json()["code"], "already_exists", "{}", dup.body);
    let unknown = request(&server, "GET", "/api/nothing", &token, "-");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], "not_found", "{}", unknown.body);
}

#[test]
fn a_domain_and_account_made_through_the_api_receive_mail_seen_in_counters_log_and_events() {
    let (server, token) = admin_server("");
    expect_status(
        &server,
        "POST",
        "/api/domains",
        &token,
        r#"{"name":"office.test","dkim":"ed25519"}"#,
        201,
    );
    let dns = request(&server, "GET", "/api/domains/office.test/dns", &token, "-");
    assert_eq!(dns.status, 200);
    let records = dns.json();
    let records = records.as_array().expect("a list of records");
    assert!(
        records.iter().any(|r| r["kind"] == "MX")
            && records.iter().any(|r| r.to_string().contains("DKIM")),
        "{}",
        dns.body
    );

    // A short password is a field error.
    let weak = request(
        &server,
        "POST",
        "/api/accounts",
        &token,
        r#"{"address":"erin@office.test","password":"x"}"#,
    );
    assert_eq!(weak.status, 400);
    assert_eq!(weak.json()["field"], "password", "{}", weak.body);
    expect_status(
        &server,
        "POST",
        "/api/accounts",
        &token,
        &format!(
            r#"{{"address":"erin@office.test","password":"{}"}}"#,
            tests::PASSWORD
        ),
        201,
    );
    expect_status(
        &server,
        "POST",
        "/api/aliases",
        &token,
        r#"{"address":"hello@office.test","targets":["erin@office.test"]}"#,
        201,
    );
    let aliases = request(&server, "GET", "/api/aliases", &token, "-");
    assert!(
        aliases
            .json()
            .as_array()
            .is_some_and(|list| list.contains(&json!({
                "address": "hello@office.test",
                "targets": ["erin@office.test"]
            }))),
        "{}",
        aliases.body
    );

    let before = received(&server, &token);
    // The stream shows the message arriving (smtplib sends once the stream is open).
    let url = format!("http://{}/api/events", server.addr("admin"));
    let port = server.smtp.port().to_string();
    let event = python_ok(EVENTS, &[&url, &token, &port, "message accepted"]);
    assert!(
        event.starts_with("data:"),
        "no event: {event}\n{}",
        server.log()
    );

    let after = received(&server, &token);
    assert_eq!(after, before + 1);
    let log = request(&server, "GET", "/api/log?limit=50", &token, "-");
    assert!(
        has(&log.json(), "message", "message accepted"),
        "{}",
        log.body
    );
    assert!(server.export("erin@office.test").contains("<sse@test>"));

    let erin = "erin@office.test";
    let disabled = patch_account(&server, &token, erin, r#"{"disabled":true}"#);
    assert_eq!(disabled.status, 204, "{}", disabled.body);
    let shown = account(&server, &token, erin);
    assert!(
        shown["disabled"] == true && shown["quota_bytes"].is_null(),
        "{shown}"
    );
}

#[test]
fn a_forwarded_message_waits_in_the_queue_and_can_be_held_and_released() {
    // Everything leaves through a relay where nothing listens: the row stays deferred.
    let (server, token) =
        admin_server("[[route]]\ndomains = [\"*\"]\nrelay = [\"127.0.0.1:1\"]\ntls = \"none\"\n");
    // carol@example.test forwards to carol@remote.test (the fixture).
    let mut conn = tests::SmtpConn::connect(server.smtp);
    conn.cmd("EHLO client.test\r\n");
    conn.cmd("MAIL FROM:<x@outside.test>\r\n");
    conn.cmd("RCPT TO:<carol@example.test>\r\n");
    conn.cmd("DATA\r\n");
    conn.expect("Subject: q\r\n\r\nforward me\r\n.\r\n", "250");

    let id = wait_for(
        Duration::from_secs(30),
        "the forward to be deferred",
        || {
            let list = expect_status(
                &server,
                "GET",
                "/api/queue?state=deferred",
                &token,
                "-",
                200,
            );
            let list = list.json();
            find(&list, "recipient", "carol@remote.test").and_then(|e| e["id"].as_i64())
        },
    );
    let detail = request(&server, "GET", &format!("/api/queue/{id}"), &token, "-");
    assert!(
        has(&detail.json()["attempts"], "outcome", "deferred"),
        "{}",
        detail.body
    );

    expect_status(
        &server,
        "POST",
        &format!("/api/queue/{id}/hold"),
        &token,
        "-",
        204,
    );
    let list = request(&server, "GET", "/api/queue?state=held", &token, "-");
    assert!(
        has(&list.json(), "recipient", "carol@remote.test"),
        "{}",
        list.body
    );
    expect_status(
        &server,
        "POST",
        &format!("/api/queue/{id}/release"),
        &token,
        "-",
        204,
    );
    let list = request(&server, "GET", "/api/queue?state=held", &token, "-");
    assert_eq!(list.json(), json!([]));

    let bad_state = request(&server, "GET", "/api/queue?state=lost", &token, "-");
    assert_eq!(bad_state.status, 400);
    assert_eq!(bad_state.json()["field"], "state", "{}", bad_state.body);
    expect_status(&server, "POST", "/api/queue/999999/hold", &token, "-", 404);
}

#[test]
fn settings_are_read_and_edited_keeping_the_files_comments() {
    let (server, token) = admin_server("");
    let path = server.data_dir().join("postroom.toml");
    let original = std::fs::read_to_string(&path).expect("config");
    std::fs::write(&path, format!("# Kept by the panel.\n{original}")).expect("write");

    let got = expect_status(&server, "GET", "/api/settings", &token, "-", 200);
    let settings = got.json();
    assert_eq!(
        settings["settings"]["hostname"], "mx.example.test",
        "{}",
        got.body
    );
    assert!(
        !settings["settings"]["limits"]["max_message_size"].is_null(),
        "{}",
        got.body
    );

    let invalid = put_settings(&server, &token, r#"{"limits":{"max_message_size":5}}"#);
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    assert_eq!(
        invalid.json()["field"],
        "limits.max_message_size",
        "{}",
        invalid.body
    );
    let unchanged = std::fs::read_to_string(&path).expect("config");
    assert!(!unchanged.contains("max_message_size = 5\n"), "{unchanged}");

    // Applied at once: no restart needed.
    let body = r#"{"limits":{"max_message_size":2048}}"#;
    settings_applied(&server, &token, body, &["limits.max_message_size"]);
    let edited = std::fs::read_to_string(&path).expect("config");
    assert!(edited.starts_with("# Kept by the panel.\n"), "{edited}");
    assert!(edited.contains("max_message_size = 2048"), "{edited}");
}
