//! The admin HTTP API against the real binary, driven by Python's urllib: authentication
//! (token, wrong token, session cookie), request limits, domains, accounts and aliases made
//! through the API and then used by smtplib, the counters and the live log, the event stream,
//! queue control and settings edits that keep postroom.toml's comments.

use std::time::{Duration, Instant};

mod admin_support;

use admin_support::{admin_server, request};
use tests::python_ok;

/// Reads the event stream until a line contains WANT (prints it) or 20 s pass; the mail is
/// sent once the stream is open.
const EVENTS: &str = r#"
import sys, urllib.request, smtplib, threading, time
url, token, smtp_port, want = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
req = urllib.request.Request(url, headers={'Authorization': 'Bearer ' + token})
r = urllib.request.urlopen(req, timeout=20)
def send():
    time.sleep(0.5)
    with smtplib.SMTP('127.0.0.1', smtp_port, timeout=30) as s:
        s.sendmail('x@outside.test', ['erin@office.test'],
                   b'Subject: sse\r\nMessage-ID: <sse@test>\r\n\r\nhello\r\n')
threading.Thread(target=send).start()
deadline = time.time() + 20
while time.time() < deadline:
    line = r.readline().decode()
    if want in line:
        print(line.strip())
        break
"#;

/// The value of `"key":` in a JSON text, up to the next `,` or `}` (numbers and strings).
fn json_number(body: &str, key: &str) -> u64 {
    let at = body
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("{key} in {body}"));
    body[at + key.len() + 3..]
        .split([',', '}'])
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} number in {body}"))
}

#[test]
fn requests_need_the_token_or_a_session_cookie() {
    let (server, token) = admin_server("");
    assert_eq!(token.len(), 64, "{token}");

    let ok = request(&server, "GET", "/api/status", &token, "-");
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("\"service\":\"admin\""), "{}", ok.body);
    assert!(ok.body.contains("\"uptime_secs\""), "{}", ok.body);

    // No token.
    let none = request(&server, "GET", "/api/status", "-", "-");
    assert_eq!(none.status, 401);
    assert!(
        none.body.contains("\"code\":\"unauthorized\""),
        "{}",
        none.body
    );
    // A wrong token of the right length.
    let wrong = request(&server, "GET", "/api/domains", &"0".repeat(64), "-");
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    // Signing in with a wrong token gives no cookie.
    let bad = request(&server, "POST", "/api/session", "-", r#"{"token":"nope"}"#);
    assert_eq!(bad.status, 401);
    assert!(bad.cookie().is_empty());

    let signed = request(
        &server,
        "POST",
        "/api/session",
        "-",
        &format!(r#"{{"token":"{token}"}}"#),
    );
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
    let with_cookie = request(
        &server,
        "GET",
        "/api/domains",
        &format!("cookie:{cookie}"),
        "-",
    );
    assert_eq!(with_cookie.status, 200, "{}", with_cookie.body);
    assert!(
        with_cookie.body.contains("example.test"),
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
    let big = request(&server, "POST", "/api/domains", &token, "@big");
    assert_eq!(big.status, 413, "{}", big.body);
    assert!(big.body.contains("\"code\":\"too_large\""), "{}", big.body);

    let malformed = request(&server, "POST", "/api/domains", &token, "{\"name\": ");
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.body.contains("\"code\":\"invalid\""),
        "{}",
        malformed.body
    );
    assert!(
        malformed.body.contains("malformed JSON"),
        "{}",
        malformed.body
    );

    // A duplicate is a conflict with its own code; an unknown endpoint is JSON too.
    let dup = request(
        &server,
        "POST",
        "/api/domains",
        &token,
        r#"{"name":"example.test"}"#,
    );
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert!(dup.body.contains("already_exists"), "{}", dup.body);
    let unknown = request(&server, "GET", "/api/nothing", &token, "-");
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("not_found"), "{}", unknown.body);
}

#[test]
fn a_domain_and_account_made_through_the_api_receive_mail_seen_in_counters_log_and_events() {
    let (server, token) = admin_server("");
    let made = request(
        &server,
        "POST",
        "/api/domains",
        &token,
        r#"{"name":"office.test","dkim":"ed25519"}"#,
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let dns = request(&server, "GET", "/api/domains/office.test/dns", &token, "-");
    assert_eq!(dns.status, 200);
    assert!(
        dns.body.contains("\"kind\":\"MX\"") && dns.body.contains("DKIM"),
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
    assert!(
        weak.body.contains("\"field\":\"password\""),
        "{}",
        weak.body
    );
    let account = request(
        &server,
        "POST",
        "/api/accounts",
        &token,
        &format!(
            r#"{{"address":"erin@office.test","password":"{}"}}"#,
            tests::PASSWORD
        ),
    );
    assert_eq!(account.status, 201, "{}", account.body);
    let alias = request(
        &server,
        "POST",
        "/api/aliases",
        &token,
        r#"{"address":"hello@office.test","targets":["erin@office.test"]}"#,
    );
    assert_eq!(alias.status, 201, "{}", alias.body);
    let aliases = request(&server, "GET", "/api/aliases", &token, "-");
    assert!(
        aliases
            .body
            .contains(r#"{"address":"hello@office.test","targets":["erin@office.test"]}"#),
        "{}",
        aliases.body
    );

    let before = json_number(
        &request(&server, "GET", "/api/status", &token, "-").body,
        "received",
    );
    // The stream shows the message arriving (smtplib sends once the stream is open).
    let url = format!("http://{}/api/events", server.addr("admin"));
    let port = server.smtp.port().to_string();
    let event = python_ok(EVENTS, &[&url, &token, &port, "message accepted"]);
    assert!(
        event.starts_with("data:"),
        "no event: {event}\n{}",
        server.log()
    );

    let after = json_number(
        &request(&server, "GET", "/api/status", &token, "-").body,
        "received",
    );
    assert_eq!(after, before + 1);
    let log = request(&server, "GET", "/api/log?limit=50", &token, "-");
    assert!(
        log.body.contains("\"message\":\"message accepted\""),
        "{}",
        log.body
    );
    assert!(server.export("erin@office.test").contains("<sse@test>"));

    let disabled = request(
        &server,
        "PATCH",
        "/api/accounts/erin@office.test",
        &token,
        r#"{"disabled":true}"#,
    );
    assert_eq!(disabled.status, 204, "{}", disabled.body);
    let accounts = request(&server, "GET", "/api/accounts", &token, "-");
    assert!(
        accounts
            .body
            .contains(r#"{"address":"erin@office.test","disabled":true,"quota_bytes":null,"#),
        "{}",
        accounts.body
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
    let reply = conn.cmd("Subject: q\r\n\r\nforward me\r\n.\r\n");
    assert!(reply.starts_with("250"), "{reply}");

    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        let list = request(&server, "GET", "/api/queue?state=deferred", &token, "-");
        assert_eq!(list.status, 200, "{}", list.body);
        if list.body.contains("carol@remote.test") {
            break json_number(&list.body, "id");
        }
        assert!(Instant::now() < deadline, "never deferred: {}", list.body);
        std::thread::sleep(Duration::from_millis(200));
    };
    let detail = request(&server, "GET", &format!("/api/queue/{id}"), &token, "-");
    assert!(
        detail.body.contains("\"outcome\":\"deferred\""),
        "{}",
        detail.body
    );

    let held = request(
        &server,
        "POST",
        &format!("/api/queue/{id}/hold"),
        &token,
        "-",
    );
    assert_eq!(held.status, 204, "{}", held.body);
    let list = request(&server, "GET", "/api/queue?state=held", &token, "-");
    assert!(list.body.contains("carol@remote.test"), "{}", list.body);
    let released = request(
        &server,
        "POST",
        &format!("/api/queue/{id}/release"),
        &token,
        "-",
    );
    assert_eq!(released.status, 204, "{}", released.body);
    let list = request(&server, "GET", "/api/queue?state=held", &token, "-");
    assert_eq!(list.body, "[]");

    let bad_state = request(&server, "GET", "/api/queue?state=lost", &token, "-");
    assert_eq!(bad_state.status, 400);
    assert!(
        bad_state.body.contains("\"field\":\"state\""),
        "{}",
        bad_state.body
    );
    let missing = request(&server, "POST", "/api/queue/999999/hold", &token, "-");
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[test]
fn settings_are_read_and_edited_keeping_the_files_comments() {
    let (server, token) = admin_server("");
    let path = server.data_dir().join("postroom.toml");
    let original = std::fs::read_to_string(&path).expect("config");
    std::fs::write(&path, format!("# Kept by the panel.\n{original}")).expect("write");

    let got = request(&server, "GET", "/api/settings", &token, "-");
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.body.contains("\"hostname\":\"mx.example.test\""),
        "{}",
        got.body
    );
    assert!(got.body.contains("\"max_message_size\""), "{}", got.body);

    let invalid = request(
        &server,
        "PUT",
        "/api/settings",
        &token,
        r#"{"limits":{"max_message_size":5}}"#,
    );
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    assert!(
        invalid
            .body
            .contains("\"field\":\"limits.max_message_size\""),
        "{}",
        invalid.body
    );
    let unchanged = std::fs::read_to_string(&path).expect("config");
    assert!(!unchanged.contains("max_message_size = 5\n"), "{unchanged}");

    let valid = request(
        &server,
        "PUT",
        "/api/settings",
        &token,
        r#"{"limits":{"max_message_size":2048}}"#,
    );
    assert_eq!(valid.status, 200, "{}", valid.body);
    // Applied at once: no restart needed.
    assert!(
        valid.body.contains("\"restart_needed\":false")
            && valid
                .body
                .contains("\"applied\":[\"limits.max_message_size\"]"),
        "{}",
        valid.body
    );
    let edited = std::fs::read_to_string(&path).expect("config");
    assert!(edited.starts_with("# Kept by the panel.\n"), "{edited}");
    assert!(edited.contains("max_message_size = 2048"), "{edited}");
}
