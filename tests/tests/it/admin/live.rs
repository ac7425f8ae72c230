//! The running engine changed from the admin API without a restart, against the real
//! binary: a listener that cannot bind is shown as down while the others serve (at start
//! and after a change), pausing receiving (SMTP 421, RFC 5321 §3.8) and resuming, a lowered
//! message size limit seen by the next SMTP session, a listener moved to another port, a
//! changed route used by the queue, SIGHUP reloading a hand-edited file, and `serve`
//! failing only when no listener at all could be bound.

use std::io::Read;
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use serde_json::json;
use tests::admin::{
    admin_server, expect_status, free_port, listener, put_settings, request, serve_fails,
    settings_applied,
};
use tests::{SmtpConn, poll_until};

/// The first reply line of a new SMTP connection.
fn greeting(addr: std::net::SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut text = String::new();
    let mut byte = [0u8; 1];
    while !text.ends_with('\n') {
        match stream.read(&mut byte) {
            Ok(1) => text.push(byte[0] as char),
            _ => break,
        }
    }
    text
}

#[test]
fn a_listener_that_cannot_bind_is_down_in_status_while_the_others_serve() {
    let (mut server, token) = admin_server("");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("occupy a port");
    let port = taken.local_addr().expect("addr").port();

    // Live: moving imap to the taken port shows it down with the reason.
    let changed = put_settings(
        &server,
        &token,
        &format!(r#"{{"listen":{{"imap":["127.0.0.1:{port}"]}}}}"#),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    let applied = changed.json();
    assert!(
        applied["applied"]
            .as_array()
            .is_some_and(|keys| keys.contains(&json!("listen.imap"))),
        "{}",
        changed.body
    );
    let status = request(&server, "GET", "/api/status", &token, "-");
    let imap = listener(&status, "imap");
    assert!(
        imap["up"] == false && imap["error"] == format!("port {port} is in use"),
        "{imap}"
    );
    assert!(greeting(server.smtp).starts_with("220"));

    // At start: serve says so loudly, and the other listeners serve.
    server.stop();
    server.spawn();
    assert!(
        server.log().contains(&format!(
            "NOT listening for imap on 127.0.0.1:{port}: port {port} is in use"
        )),
        "{}",
        server.log()
    );
    assert!(greeting(server.smtp).starts_with("220"));
    let status = request(&server, "GET", "/api/status", &token, "-");
    assert_eq!(listener(&status, "imap")["up"], false, "{}", status.body);
    assert_eq!(listener(&status, "smtp")["up"], true, "{}", status.body);

    // Freed and reloaded: it comes up.
    drop(taken);
    expect_status(&server, "POST", "/api/settings/reload", &token, "-", 200);
    let status = request(&server, "GET", "/api/status", &token, "-");
    let imap = listener(&status, "imap");
    assert!(
        imap["address"] == format!("127.0.0.1:{port}") && imap["up"] == true,
        "{imap}"
    );
    let status = status.json();
    assert_eq!(status["receiving_paused"], false);
    assert_eq!(
        status["queue"],
        json!({"queued": 0, "deferred": 0, "held": 0, "failed": 0}),
        "{status}"
    );
}

#[test]
fn serve_fails_only_when_no_listener_at_all_can_be_bound() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("occupy a port");
    let port = taken.local_addr().expect("addr").port();
    let stderr = serve_fails(&format!("smtp = [\"127.0.0.1:{port}\"]\n"));
    assert!(
        stderr.contains(&format!("port {port} is in use"))
            && stderr.contains("no listener could be started"),
        "{stderr}"
    );
    drop(taken);
}

#[test]
fn pausing_receiving_answers_421_until_resumed_even_after_a_restart() {
    let (server, token) = admin_server("");
    let paused = expect_status(
        &server,
        "PUT",
        "/api/receiving",
        &token,
        r#"{"paused":true}"#,
        200,
    );
    assert_eq!(paused.json(), json!({"paused": true}));
    for addr in [server.smtp, server.submission] {
        assert_eq!(
            greeting(addr),
            "421 4.3.2 Service paused, try again later\r\n"
        );
    }
    let status = request(&server, "GET", "/api/status", &token, "-");
    assert_eq!(status.json()["receiving_paused"], true, "{}", status.body);

    // A restart keeps the pause: no mail is taken by surprise after a reboot.
    let mut server = server;
    server.stop();
    server.spawn();
    assert_eq!(
        greeting(server.smtp),
        "421 4.3.2 Service paused, try again later\r\n"
    );
    let status = request(&server, "GET", "/api/status", &token, "-");
    assert_eq!(status.json()["receiving_paused"], true, "{}", status.body);

    let resumed = request(
        &server,
        "PUT",
        "/api/receiving",
        &token,
        r#"{"paused":false}"#,
    );
    assert_eq!(resumed.json(), json!({"paused": false}));
    // Mail flows again after the resume: a transaction reaches RCPT.
    let _smtp = SmtpConn::in_transaction(server.smtp, "alice@example.test");
    expect_status(
        &server,
        "PUT",
        "/api/receiving",
        &token,
        r#"{"paused":"yes"}"#,
        400,
    );
}

#[test]
fn a_lowered_size_limit_and_a_moved_listener_apply_without_a_restart() {
    let (server, token) = admin_server("");
    let mut before = SmtpConn::connect(server.smtp);
    let ehlo = before.cmd("EHLO client.test");
    assert!(!ehlo.contains("SIZE 20000"), "{ehlo}");

    let body = r#"{"limits":{"max_message_size":20000}}"#;
    let applied = settings_applied(&server, &token, body, &["limits.max_message_size"]);
    assert_eq!(applied["pending_restart"], json!([]), "{applied}");
    let ehlo = SmtpConn::connect(server.smtp).cmd("EHLO client.test");
    assert!(ehlo.contains("250-SIZE 20000"), "{ehlo}");
    // RFC 1870 §6.1: a declared size over the limit is refused at MAIL.
    let mut smtp = SmtpConn::greeted(server.smtp);
    smtp.expect("MAIL FROM:<x@outside.test> SIZE=30000", "552");

    // The submission listener moves to a new port: the old one closes, the new one serves.
    let port = free_port();
    let old = server.submission;
    let moved = put_settings(
        &server,
        &token,
        &format!(r#"{{"listen":{{"submission":["127.0.0.1:{port}"]}}}}"#),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        moved.json()["applied"],
        json!(["listen.submission"]),
        "{}",
        moved.body
    );
    let new: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    assert!(greeting(new).starts_with("220"));
    assert!(TcpStream::connect(old).is_err(), "{old} still accepts");
    let status = request(&server, "GET", "/api/status", &token, "-");
    let entry = listener(&status, "submission");
    assert!(
        entry["address"] == format!("127.0.0.1:{port}") && entry["up"] == true,
        "{entry}"
    );
    // A session open before the change goes on.
    before.expect("NOOP", "250");
}

#[test]
fn a_changed_route_is_used_by_the_queue_without_a_restart() {
    let port = tests::peers::free_port(&["127.0.0.61", "127.0.0.62"]);
    let peer = tests::peers::Peer::start("127.0.0.61", port, &[]);
    // At first everything goes to 127.0.0.62, where nothing listens: the mail waits.
    let (server, token) = admin_server(&format!(
        "[[route]]\ndomains = [\"*\"]\nrelay = [\"127.0.0.62:{port}\"]\ntls = \"none\"\n"
    ));
    tests::peers::alice_sends(&server, "bob@remote.test", "route@test");
    tests::peers::wait_state(&server, "bob@remote.test", "deferred", 60);

    let changed = put_settings(
        &server,
        &token,
        &format!(r#"{{"route":[{{"domains":["*"],"relay":["127.0.0.61:{port}"],"tls":"none"}}]}}"#),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    let applied = changed.json();
    assert!(
        applied["applied"] == json!(["route"]) && applied["pending_restart"] == json!([]),
        "{}",
        changed.body
    );
    expect_status(&server, "POST", "/api/queue/retry", &token, "-", 200);
    let messages = peer.wait_messages(1, Duration::from_secs(60));
    assert!(messages[0].1.contains("route@test"), "{:?}", messages[0]);
    tests::peers::wait_state(&server, "bob@remote.test", "delivered", 60);
}

#[test]
fn sighup_applies_a_hand_edited_file() {
    let (server, _token) = admin_server("");
    let path = server.data_dir().join("postroom.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    std::fs::write(
        &path,
        text.replace("[limits]\n", "[limits]\nmax_message_size = 30000\n"),
    )
    .expect("edit");
    let hup = Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    // The signal is handled in the background: wait for the log line, then look.
    let reloaded = || server.log().contains("settings reloaded");
    assert!(
        poll_until(Duration::from_secs(30), reloaded),
        "{}",
        server.log()
    );
    let ehlo = SmtpConn::connect(server.smtp).cmd("EHLO client.test");
    assert!(ehlo.contains("250-SIZE 30000"), "{ehlo}");
}
