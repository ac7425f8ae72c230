//! What the admin API tests share: one HTTP request through Python's urllib (an independent
//! client), with its status, headers and body; a server with the admin API on.

use std::collections::HashMap;

use serde_json::Value;

use std::process::{Command, Stdio};

use crate::{Options, Server, binary, python_ok};

/// One request: prints the status, the response headers as JSON (lowercase names), the
/// body. AUTH is `-` (none), `cookie:VALUE`, or a bearer token; BODY `-` (none), `@big`
/// (100 KiB), or the text to send. Redirects are not followed.
const REQUEST: &str = "admin_request.py";

pub struct Reply {
    pub status: u16,
    /// Response headers by lowercase name.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Reply {
    /// The `Set-Cookie` header, or an empty string.
    pub fn cookie(&self) -> String {
        self.header("set-cookie").to_string()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The body parsed as JSON; fails the test when it is not JSON.
    pub fn json(&self) -> Value {
        crate::json(&self.body)
    }
}

/// The element of the JSON list `list` whose `key` is `value`.
pub fn find<'a>(list: &'a Value, key: &str, value: &str) -> Option<&'a Value> {
    list.as_array()?.iter().find(|item| item[key] == value)
}

/// Whether the JSON list `list` has an element whose `key` is `value`.
pub fn has(list: &Value, key: &str, value: &str) -> bool {
    find(list, key, value).is_some()
}

/// The account `address` as `GET /api/accounts` lists it.
pub fn account(server: &Server, token: &str, address: &str) -> Value {
    let list = request(server, "GET", "/api/accounts", token, "-");
    find(&list.json(), "address", address)
        .cloned()
        .unwrap_or_else(|| panic!("no {address} in {}", list.body))
}

/// `PATCH /api/accounts/<address>` with the JSON `body`; the answer.
pub fn patch_account(server: &Server, token: &str, address: &str, body: &str) -> Reply {
    let path = format!("/api/accounts/{address}");
    request(server, "PATCH", &path, token, body)
}

/// `PUT /api/settings` with the JSON `body`; the answer.
pub fn put_settings(server: &Server, token: &str, body: &str) -> Reply {
    request(server, "PUT", "/api/settings", token, body)
}

/// `PUT /api/settings` with the JSON `body`, which must be applied at once (200, no restart
/// needed, exactly the keys `applied`); the answer.
pub fn settings_applied(server: &Server, token: &str, body: &str, applied: &[&str]) -> Value {
    let reply = put_settings(server, token, body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = reply.json();
    assert!(
        answer["restart_needed"] == false && answer["applied"] == serde_json::json!(applied),
        "{}",
        reply.body
    );
    answer
}

/// `POST /api/session` (signing in) with the JSON `body`, from no session.
pub fn sign_in(server: &Server, body: &str) -> Reply {
    request(server, "POST", "/api/session", "-", body)
}

/// A request to the server's admin listener.
pub fn request(server: &Server, method: &str, path: &str, auth: &str, body: &str) -> Reply {
    request_to(
        &format!("http://{}{path}", server.addr("admin")),
        method,
        auth,
        body,
    )
}

/// [`request`], asserted to answer `status` (a failure shows the method, path and body).
pub fn expect_status(
    server: &Server,
    method: &str,
    path: &str,
    auth: &str,
    body: &str,
    status: u16,
) -> Reply {
    let reply = request(server, method, path, auth, body);
    assert_eq!(reply.status, status, "{method} {path}: {}", reply.body);
    reply
}

pub fn request_to(url: &str, method: &str, auth: &str, body: &str) -> Reply {
    let out = python_ok(REQUEST, &[method, url, auth, body]);
    let mut lines = out.splitn(3, '\n');
    let status = lines.next().unwrap_or("0").trim().parse().expect("status");
    let headers = parse_headers(lines.next().unwrap_or("{}"));
    Reply {
        status,
        headers,
        body: lines.next().unwrap_or("").trim().to_string(),
    }
}

/// The flat JSON object of string values that the script prints.
fn parse_headers(line: &str) -> HashMap<String, String> {
    let headers: HashMap<String, String> =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("headers ({e}): {line}"));
    headers
        .into_iter()
        .map(|(k, v)| (k, v.replace('\n', " ")))
        .collect()
}

/// A server with the admin API on loopback (and the fixture unless `options.empty`), and
/// its token.
pub fn admin_server_with(mut options: Options) -> (Server, String) {
    options.services.push("admin".into());
    let server = Server::with(options);
    let token = server.ok(&["admin", "token"]).trim().to_string();
    (server, token)
}

pub fn admin_server(extra_toml: &str) -> (Server, String) {
    admin_server_with(Options {
        extra_toml: extra_toml.into(),
        ..Options::default()
    })
}

pub use crate::free_port;

/// The listener entry of `service` in `GET /api/status`, e.g. `{"service":"imap",...}`.
pub fn listener(status: &Reply, service: &str) -> Value {
    find(&status.json()["listeners"], "service", service)
        .unwrap_or_else(|| panic!("no {service} listener in {}", status.body))
        .clone()
}

/// Runs `postroom serve` on a fresh data directory with `listen` as its `[listen]` lines;
/// it must exit with status 1. Returns its stderr.
pub fn serve_fails(listen: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("postroom.toml"),
        format!("hostname = \"mx.example.test\"\n[listen]\n{listen}"),
    )
    .expect("config");
    let out = Command::new(binary())
        .arg("--data-dir")
        .arg(dir.path())
        .arg("serve")
        .stdin(Stdio::null())
        .output()
        .expect("run serve");
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}
