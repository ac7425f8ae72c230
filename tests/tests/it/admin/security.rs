//! The admin server's edges against the real binary: importing a certificate made by
//! openssl (refused when the key does not match; once accepted, TLS clients on imaps and
//! submissions see it at once), the web UI with its headers and SPA fallback (or the page
//! saying how to build it), the one-time sign-in link, and a non-loopback admin address
//! without TLS refused at start.

use std::path::Path;
use std::process::Command;

use tests::admin::{admin_server_with, expect_status, request, serve_fails};
use tests::{Options, python_ok, workspace_root};

/// A self-signed EC certificate for `name` and localhost: (cert PEM, key PEM).
fn openssl_pair(dir: &Path, name: &str) -> (String, String) {
    let (cert, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    tests::run_ok(
        Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .arg("ec_paramgen_curve:prime256v1")
            .args(["-nodes", "-days", "30", "-subj"])
            .arg(format!("/CN={name}"))
            .arg("-addext")
            .arg(format!("subjectAltName=DNS:{name},DNS:localhost"))
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
        "openssl req",
    );
    (
        std::fs::read_to_string(cert).expect("cert"),
        std::fs::read_to_string(key).expect("key"),
    )
}

/// The body of `PUT /api/certificate`: PEM text as JSON strings.
fn pair(cert: &str, key: &str) -> String {
    let json = |pem: &str| format!("\"{}\"", pem.replace('\n', "\\n"));
    format!(r#"{{"cert_pem":{},"key_pem":{}}}"#, json(cert), json(key))
}

/// Connects with implicit TLS to each port, trusting only CAFILE, and prints the subject's
/// common name and the first reply line.
const TLS_CLIENT: &str = "admin_security_tls_client.py";

#[test]
fn an_imported_certificate_is_checked_then_presented_by_every_listener() {
    let (server, token) = admin_server_with(Options {
        services: vec!["imaps".into()],
        ..Options::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let (cert, key) = openssl_pair(dir.path(), "imported.test");
    let (_, other_key) = openssl_pair(dir.path(), "other.test");

    let put = |body: &str, status| {
        expect_status(&server, "PUT", "/api/certificate", &token, body, status)
    };
    let mismatched = put(&pair(&cert, &other_key), 400);
    assert_eq!(mismatched.json()["field"], "key_pem", "{}", mismatched.body);
    let garbled = request(&server, "PUT", "/api/certificate", &token, &pair("x", &key));
    assert_eq!(garbled.json()["field"], "cert_pem", "{}", garbled.body);

    let imported = put(&pair(&cert, &key), 200);
    let certificate = imported.json();
    assert!(
        certificate["subject"] == "CN=imported.test"
            && certificate["issuer"] == "CN=imported.test"
            && certificate["names"] == serde_json::json!(["imported.test", "localhost"]),
        "{}",
        imported.body
    );
    let shown = request(&server, "GET", "/api/certificate", &token, "-");
    assert_eq!(shown.json(), certificate);
    assert_eq!(
        std::fs::read_to_string(server.cert_path()).expect("written"),
        cert
    );

    let cafile = dir.path().join("imported.test.crt");
    let out = python_ok(
        TLS_CLIENT,
        &[
            cafile.to_str().expect("path"),
            &server.addr("imaps").port().to_string(),
            &server.submissions.port().to_string(),
        ],
    );
    assert_eq!(out, "imported.test *\nimported.test 220\n");
}

#[test]
fn the_web_ui_is_served_with_security_headers_and_an_spa_fallback() {
    let (server, token) = admin_server_with(Options::default());
    let index = expect_status(&server, "GET", "/", "-", "-", 200);
    assert!(index.header("content-type").starts_with("text/html"));
    assert_eq!(index.header("cache-control"), "no-cache");
    assert_eq!(index.header("x-frame-options"), "DENY");
    assert_eq!(index.header("x-content-type-options"), "nosniff");
    assert!(
        index.header("content-security-policy").contains(
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"
        ),
        "{:?}",
        index.headers
    );
    let dist = workspace_root().join("ui/dist");
    if dist.join("index.html").exists() {
        // A route of the UI loads the same page; a hashed asset is served as what it is.
        let route = request(&server, "GET", "/accounts/alice@example.test", "-", "-");
        assert_eq!(route.status, 200);
        assert_eq!(route.body, index.body);
        let asset = std::fs::read_dir(dist.join("assets"))
            .expect("assets")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.ends_with(".js"))
            .expect("a script asset");
        let script = request(&server, "GET", &format!("/assets/{asset}"), "-", "-");
        assert_eq!(script.status, 200);
        assert!(
            script.header("content-type").contains("javascript"),
            "{:?}",
            script.headers
        );
        assert_eq!(
            script.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
        let missing = request(&server, "GET", "/assets/nope-123.js", "-", "-");
        assert_eq!(missing.status, 404);
    } else {
        assert!(
            index
                .body
                .contains("npm --prefix ui ci &amp;&amp; npm --prefix ui run build"),
            "{}",
            index.body
        );
    }
    // API paths never fall back to the page.
    let unknown = request(&server, "GET", "/api/nope", &token, "-");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["code"], "not_found", "{}", unknown.body);
    assert_eq!(unknown.header("x-frame-options"), "DENY");

    // The one-time link: a session cookie, then the UI at `/`; used once only.
    // The configured port is 0 here: the path goes to the port actually bound.
    let link = server
        .ok(&["admin", "open", "--print-only"])
        .trim()
        .to_string();
    let link = &link[link.find("/signin?code=").expect("a sign-in link")..];
    let signed = expect_status(&server, "GET", link, "-", "-", 303);
    assert_eq!(signed.header("location"), "/");
    assert!(signed.cookie().contains("postroom_session="));
    let reused = request(&server, "GET", link, "-", "-");
    assert_eq!(reused.status, 401);
}

#[test]
fn a_non_loopback_admin_address_without_tls_is_refused_at_start() {
    let stderr = serve_fails("smtp = [\"127.0.0.1:0\"]\nadmin = [\"0.0.0.0:0\"]\n");
    assert!(
        stderr.contains("listen.admin[0]") && stderr.contains("needs TLS"),
        "{stderr}"
    );
}
