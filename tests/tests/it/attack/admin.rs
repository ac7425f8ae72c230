//! Attacks on the admin panel and on password logins, against the real binary: a web page
//! in the admin's browser posting to the API (text/plain, another Origin, another site), DNS
//! rebinding (a foreign Host), parallel password guesses over SMTP AUTH and IMAP LOGIN, a
//! stranger locking an account or the panel, idle connections exhausting the admin port, a
//! settings edit sending a stored password to a new relay, an idle session, a sign-in link
//! used twice at once. Every test checks the server still answers afterwards.

use tests::admin::{admin_server_with, expect_status, put_settings, request};
use tests::{Options, PASSWORD, Server, python_ok};

/// One request with curl (headers exactly as given): (status, body).
fn curl(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[&str],
    body: Option<&str>,
) -> (u16, String) {
    let mut command = std::process::Command::new("curl");
    command
        .args([
            "-sS",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
            "-X",
            method,
            "--max-time",
            "60",
        ])
        .arg(format!("http://{}{path}", server.addr("admin")));
    for header in headers {
        command.args(["-H", header]);
    }
    if let Some(body) = body {
        command.args(["--data-binary", body]);
    }
    let out = command.output().expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("status line");
    (status.trim().parse().expect("status"), body.to_string())
}

/// A session cookie (`name=value`) from a one-time sign-in link, as the desktop window and
/// `postroom admin open` get one.
fn session(server: &Server) -> String {
    let link = server.ok(&["admin", "open"]).trim().to_string();
    let path = &link[link.find("/signin?code=").expect("a sign-in link")..];
    let signed = expect_status(server, "GET", path, "-", "-", 303);
    signed
        .cookie()
        .split(';')
        .next()
        .expect("cookie")
        .to_string()
}

/// A client (Python, 30 s timeout) connecting to `service` is greeted with `want`.
fn greets(server: &Server, service: &str, want: &str) {
    let out = python_ok(
        "socket_greeting_30s.py",
        &[&server.addr(service).port().to_string()],
    );
    assert!(out.starts_with(want), "{service}: {out}");
}

/// Every mail listener still greets, and the admin API answers.
fn all_answer(server: &Server, token: &str) {
    let greeting = |service: &str, want: &str| greets(server, service, want);
    greeting("smtp", "220");
    if server.listeners.contains_key("imap") {
        greeting("imap", "* OK");
    }
    expect_status(server, "GET", "/api/status", token, "-", 200);
}

/// A request that must be refused: why, method, path, headers, status, error code.
type Refused<'a> = (&'a str, &'a str, &'a str, Vec<&'a str>, u16, &'a str);

const ALIAS: &str = r#"{"address":"ceo-copy@example.test","targets":["thief@outside.test"]}"#;

#[test]
fn cross_site_and_rebinding_requests_are_refused_and_the_token_still_works() {
    let (server, token) = admin_server_with(Options::default());
    let cookie = session(&server);
    let cookie_header = format!("Cookie: {cookie}");
    let host = format!("Host: {}", server.addr("admin"));
    let own_origin = format!("Origin: http://{}", server.addr("admin"));
    let aliases = |server: &Server| request(server, "GET", "/api/aliases", &token, "-").body;

    let bearer = format!("Authorization: Bearer {token}");
    let refused: [Refused; 6] = [
        (
            // A `text/plain` POST needs no preflight and carries the cookie.
            "a page on another site",
            "POST",
            "/api/aliases",
            vec![
                &cookie_header,
                "Content-Type: text/plain",
                "Origin: http://evil.example",
                "Sec-Fetch-Site: cross-site",
            ],
            403,
            "forbidden",
        ),
        (
            "not JSON, even without the browser's origin headers",
            "POST",
            "/api/aliases",
            vec![&cookie_header, "Content-Type: text/plain"],
            415,
            "unsupported_media_type",
        ),
        (
            "JSON from another port of this computer",
            "POST",
            "/api/aliases",
            vec![
                &cookie_header,
                "Content-Type: application/json",
                "Origin: http://127.0.0.1:1",
            ],
            403,
            "forbidden",
        ),
        (
            "a sibling site",
            "DELETE",
            "/api/aliases/info@example.test",
            vec![&cookie_header, "Sec-Fetch-Site: same-site"],
            403,
            "forbidden",
        ),
        (
            // DNS rebinding: evil.example resolved to 127.0.0.1; the Host header says so.
            "a rebound name reading",
            "GET",
            "/api/aliases",
            vec![&cookie_header, "Host: evil.example"],
            421,
            "misdirected",
        ),
        (
            "a rebound name writing, even with the token",
            "POST",
            "/api/aliases",
            vec![
                &bearer,
                "Content-Type: application/json",
                "Host: evil.example:8088",
            ],
            421,
            "misdirected",
        ),
    ];
    for (why, method, path, headers, want, code) in refused {
        let (status, body) = curl(
            &server,
            method,
            path,
            &headers,
            Some(ALIAS).filter(|_| method == "POST"),
        );
        assert_eq!(status, want, "{why}: {body}");
        let error: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
        assert_eq!(error["code"], code, "{why}: {body}");
    }
    let listed = aliases(&server);
    assert!(
        !listed.contains("ceo-copy") && listed.contains("info@example.test"),
        "{listed}"
    );

    // The panel itself (same origin) and the CLI's bearer token (no Origin) still work.
    let (status, body) = curl(
        &server,
        "POST",
        "/api/aliases",
        &[
            &cookie_header,
            "Content-Type: application/json",
            &own_origin,
            "Sec-Fetch-Site: same-origin",
            &host,
        ],
        Some(r#"{"address":"panel@example.test","targets":["alice@example.test"]}"#),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = curl(
        &server,
        "POST",
        "/api/aliases",
        &[
            &format!("Authorization: Bearer {token}"),
            "Content-Type: application/json; charset=utf-8",
        ],
        Some(r#"{"address":"cli@example.test","targets":["alice@example.test"]}"#),
    );
    assert_eq!(status, 201, "{body}");
    let listed = aliases(&server);
    assert!(
        listed.contains("panel@example.test") && listed.contains("cli@example.test"),
        "{listed}"
    );
    let (status, _) = curl(
        &server,
        "GET",
        "/api/status",
        &[&cookie_header, "Host: localhost"],
        None,
    );
    assert_eq!(status, 200);
    all_answer(&server, &token);
}

/// Fires N wrong passwords at once for one account: half over SMTP AUTH (submissions, TLS),
/// half over IMAP LOGIN; prints `failed locked` (answers saying the password was wrong,
/// answers saying "too many failures, later"). A "failed" answer means the password was
/// verified.
const PARALLEL_GUESSES: &str = "attack_admin_parallel_guesses.py";

/// AUTH PLAIN over submissions from SOURCE; prints the reply code.
const AUTH_FROM: &str = "attack_admin_auth_from.py";

fn auth_from(server: &Server, source: &str, user: &str, password: &str) -> u16 {
    let port = server.submissions.port().to_string();
    python_ok(AUTH_FROM, &[&port, source, user, password])
        .trim()
        .parse()
        .expect("code")
}

fn mail_server(per_account: u32) -> (Server, String) {
    admin_server_with(Options {
        services: vec!["imap".into()],
        // The address threshold out of the way: the account counters are under test.
        limits: vec![
            "auth_failures_per_ip = 1000".into(),
            "max_connections_per_ip = 200".into(),
            format!("auth_failures_per_account = {per_account}"),
        ],
        ..Options::default()
    })
}

#[test]
fn fifty_parallel_guesses_get_at_most_the_threshold_verified() {
    let (server, token) = mail_server(5);
    let out = python_ok(
        PARALLEL_GUESSES,
        &[
            &server.submissions.port().to_string(),
            &server.addr("imap").port().to_string(),
            "alice@example.test",
            "50",
        ],
    );
    let counts: Vec<usize> = out
        .split_whitespace()
        .map(|n| n.parse().expect("count"))
        .collect();
    let (failed, locked) = (counts[0], counts[1]);
    assert_eq!(failed + locked, 50, "{out}");
    assert!(
        failed <= 5,
        "{failed} guesses were verified (at most 5 may be): {out}"
    );
    // Now locked for this address: the right password is refused too.
    assert_eq!(
        auth_from(&server, "127.0.0.1", "alice@example.test", PASSWORD),
        454
    );
    all_answer(&server, &token);
}

#[test]
fn a_stranger_cannot_lock_the_owner_out_of_a_mail_account() {
    let (server, token) = mail_server(5);
    // The owner signs in from 127.0.0.2 (their usual address).
    assert_eq!(
        auth_from(&server, "127.0.0.2", "alice@example.test", PASSWORD),
        235
    );
    // A stranger at 127.0.0.1 guesses until refused.
    for i in 0..8 {
        let code = auth_from(
            &server,
            "127.0.0.1",
            "alice@example.test",
            &format!("guess-{i}"),
        );
        assert!(code == 535 || code == 454, "{code}");
    }
    assert_eq!(
        auth_from(&server, "127.0.0.1", "alice@example.test", PASSWORD),
        454
    );
    // The owner still signs in from their address.
    assert_eq!(
        auth_from(&server, "127.0.0.2", "alice@example.test", PASSWORD),
        235
    );
    all_answer(&server, &token);
}

const ADMIN_PASSWORD: &str = "Panel-Pass-42";

/// A server whose admin password is set (through the wizard).
fn panel_server() -> (Server, String) {
    let (server, token) = admin_server_with(Options {
        empty: true,
        ..Options::default()
    });
    let body = format!(
        r#"{{"hostname":"mx.example.test","domain":"example.test","account":{{"address":"alice@example.test","password":"{PASSWORD}"}},"admin_password":"{ADMIN_PASSWORD}","certificate":{{"kind":"self_signed"}}}}"#
    );
    expect_status(&server, "POST", "/api/setup", &token, &body, 200);
    (server, token)
}

fn panel_sign_in(server: &Server, password: &str) -> u16 {
    request(
        server,
        "POST",
        "/api/session",
        "-",
        &format!(r#"{{"password":"{password}"}}"#),
    )
    .status
}

#[test]
fn smtp_auth_failures_for_admin_do_not_lock_the_panel() {
    let (server, token) = panel_server();
    for i in 0..12 {
        let code = auth_from(&server, "127.0.0.1", "admin", &format!("guess-{i}"));
        assert!(code == 535 || code == 454, "{code}");
    }
    assert_eq!(auth_from(&server, "127.0.0.1", "admin", "another"), 454);
    assert_eq!(panel_sign_in(&server, ADMIN_PASSWORD), 200);
    all_answer(&server, &token);
}

/// Sends N wrong admin passwords at once to `POST /api/session`; prints how many got 401.
const PANEL_GUESSES: &str = "attack_admin_panel_guesses.py";

#[test]
fn sign_in_from_this_computer_works_under_attack() {
    let (server, token) = panel_server();
    let url = format!("http://{}/api/session", server.addr("admin"));
    let refused = python_ok(PANEL_GUESSES, &[&url, "30"]);
    assert_eq!(refused.trim(), "30");
    assert_eq!(panel_sign_in(&server, "still-wrong"), 401);
    assert_eq!(panel_sign_in(&server, ADMIN_PASSWORD), 200);
    all_answer(&server, &token);
}

/// Opens N connections to the admin port and keeps them open, sending nothing; prints
/// `open` once they are all connected, then waits for stdin to close.
const IDLE_CONNECTIONS: &str = "attack_admin_idle_connections.py";

#[test]
fn idle_connections_to_the_admin_port_stop_neither_mail_nor_the_admin() {
    // A desktop's usual soft limit: 2,000 idle clients would take every descriptor.
    let (server, token) = admin_server_with(Options {
        services: vec!["imap".into()],
        open_files: Some(1024),
        ..Options::default()
    });
    let mut idle = tests::python_command(IDLE_CONNECTIONS)
        .arg(server.addr("admin").port().to_string())
        .arg("2000")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(idle.stdout.as_mut().expect("stdout")),
        &mut line,
    )
    .expect("read");
    assert_eq!(line.trim(), "open");
    // While they are held: mail is answered at once.
    let greeting = |service: &str, want: &str| greets(&server, service, want);
    greeting("smtp", "220");
    greeting("imap", "* OK");
    // The admin answers a new request once the idle ones time out (tried until then).
    let status = python_ok(
        "admin_status_when_free.py",
        &[
            &format!("http://{}/api/status", server.addr("admin")),
            &token,
        ],
    );
    assert_eq!(status.trim(), "200");
    drop(idle.stdin.take());
    let _ = idle.wait();
    all_answer(&server, &token);
}

#[test]
fn a_redacted_password_is_not_sent_to_a_new_relay() {
    let (server, token) = admin_server_with(Options {
        extra_toml: "[[route]]\ndomains = [\"*\"]\nrelay = [\"127.0.0.1:2587\"]\ntls = \"none\"\nusername = \"office\"\npassword = \"isp-secret-1\"\n".into(),
        ..Options::default()
    });
    let route = |relay: &str| {
        format!(
            r#"{{"route":[{{"domains":["*"],"relay":["{relay}"],"tls":"none","username":"office","password":"********"}}]}}"#
        )
    };
    let moved = put_settings(&server, &token, &route("192.0.2.66:25"));
    assert_eq!(moved.status, 400, "{}", moved.body);
    let error = moved.json();
    assert!(
        error["code"] == "password_again" && error["field"] == "route[0].password",
        "{}",
        moved.body
    );
    let file = std::fs::read_to_string(server.data_dir().join("postroom.toml")).expect("config");
    assert!(
        file.contains("127.0.0.1:2587") && !file.contains("192.0.2.66"),
        "{file}"
    );
    // Unchanged relay: the stored password is kept.
    let same = put_settings(&server, &token, &route("127.0.0.1:2587"));
    assert_eq!(same.status, 200, "{}", same.body);
    let file = std::fs::read_to_string(server.data_dir().join("postroom.toml")).expect("config");
    assert!(file.contains("isp-secret-1"), "{file}");
    all_answer(&server, &token);
}

#[test]
fn an_idle_session_expires() {
    let (server, token) = admin_server_with(Options {
        // Long enough for the sign-in and the first use on a busy machine.
        limits: vec!["admin_session_idle_secs = 8".into()],
        ..Options::default()
    });
    let cookie = format!("cookie:{}", session(&server));
    assert_eq!(
        request(&server, "GET", "/api/status", &cookie, "-").status,
        200
    );
    // Not a synchronisation: the idle time itself is what is tested.
    std::thread::sleep(std::time::Duration::from_secs(10));
    expect_status(&server, "GET", "/api/status", &cookie, "-", 401);
    all_answer(&server, &token);
}

/// Follows one sign-in link on N connections at once (all connected first, then the
/// request written on each in one go); prints how many got a session (303) and how many were
/// refused (401).
const SAME_LINK: &str = "attack_admin_same_link.py";

#[test]
fn a_sign_in_link_followed_twice_at_once_works_once() {
    let (server, token) = admin_server_with(Options::default());
    let port = server.addr("admin").port().to_string();
    for _ in 0..10 {
        let link = server.ok(&["admin", "open"]).trim().to_string();
        let path = &link[link.find("/signin?code=").expect("a sign-in link")..];
        let out = python_ok(SAME_LINK, &[&port, path, "24"]);
        assert_eq!(out.trim(), "1 23", "{out}");
    }
    all_answer(&server, &token);
}
