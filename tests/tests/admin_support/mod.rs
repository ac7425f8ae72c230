//! What the admin API tests share: one HTTP request through Python's urllib (an independent
//! client), with its status, headers and body; a server with the admin API on.

#![allow(dead_code)]

use std::collections::HashMap;

use std::process::{Command, Stdio};

use tests::{Options, Server, binary, python_ok};

/// One request: prints the status, the response headers as JSON (lowercase names), the
/// body. AUTH is `-` (none), `cookie:VALUE`, or a bearer token; BODY `-` (none), `@big`
/// (100 KiB), or the text to send. Redirects are not followed.
const REQUEST: &str = r#"
import sys, json, urllib.request, urllib.error
method, url, auth, body = sys.argv[1:5]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
opener = urllib.request.build_opener(NoRedirect)
headers = {}
if auth.startswith('cookie:'):
    headers['Cookie'] = auth[len('cookie:'):]
elif auth != '-':
    headers['Authorization'] = 'Bearer ' + auth
data = None
if body == '@big':
    data = ('{"name": "' + 'x' * 100000 + '"}').encode()
elif body != '-':
    data = body.encode()
if data is not None:
    headers['Content-Type'] = 'application/json'
req = urllib.request.Request(url, data=data, method=method, headers=headers)
try:
    r = opener.open(req, timeout=60)
    status, raw, h = r.status, r.read(), r.headers
except urllib.error.HTTPError as e:
    status, raw, h = e.code, e.read(), e.headers
print(status)
print(json.dumps({k.lower(): v for k, v in h.items()}))
print(raw.decode('utf-8', 'replace'))
"#;

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
    let script = "import sys, json\nfor k, v in json.loads(sys.argv[1]).items(): print(k + '\\t' + v.replace('\\n', ' '))";
    python_ok(script, &[line])
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
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

/// A port free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The listener entry of `service` in a status body, e.g. `{"service":"imap",...}`.
pub fn listener_entry<'a>(status_body: &'a str, service: &str) -> &'a str {
    let needle = format!("{{\"service\":\"{service}\"");
    let at = status_body
        .find(&needle)
        .unwrap_or_else(|| panic!("no {service} listener in {status_body}"));
    let rest = &status_body[at..];
    &rest[..=rest.find('}').expect("end of entry")]
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
