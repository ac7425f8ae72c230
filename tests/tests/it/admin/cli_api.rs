//! One admin surface: the CLI's domain, account and alias commands run the management API's
//! operations (`engine::api` on the data directory's admin context), so the same invalid input
//! is refused with the same text by `postroom` on the command line and by the admin HTTP API
//! (driven by Python's urllib) of the running server on the same data directory.

use tests::Server;
use tests::admin::{admin_server, request};

/// What the CLI said on failure: `postroom: MESSAGE` on stderr, exit status 1.
fn cli_error(server: &Server, args: &[&str], stdin: Option<&str>) -> String {
    let out = server.cli(args, stdin);
    assert_eq!(out.status.code(), Some(1), "postroom {args:?} should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .trim()
        .strip_prefix("postroom: ")
        .unwrap_or_else(|| panic!("postroom {args:?}: {stderr}"))
        .to_string()
}

/// The API's error for a request that must fail with a 4xx: (code, message).
fn api_error(
    server: &Server,
    token: &str,
    method: &str,
    path: &str,
    body: &str,
) -> (String, String) {
    let reply = request(server, method, path, token, body);
    assert!(
        (400..500).contains(&reply.status),
        "{method} {path} {body}: {} {}",
        reply.status,
        reply.body
    );
    let json: serde_json::Value = serde_json::from_str(&reply.body).expect("error JSON");
    let text = |key: &str| json[key].as_str().unwrap_or_default().to_string();
    (text("code"), text("message"))
}

/// One invalid input, as a command line and as an API request, and the API's error code.
struct Case {
    cli: &'static [&'static str],
    stdin: Option<&'static str>,
    method: &'static str,
    path: &'static str,
    body: &'static str,
    code: &'static str,
}

#[test]
fn the_same_invalid_input_gets_the_same_error_text_from_the_cli_and_the_api() {
    let (server, token) = admin_server("");
    let cases = [
        // A domain name with a character DNS does not allow.
        Case {
            cli: &["domain", "add", "bad_name!.test", "--dkim", "none"],
            stdin: None,
            method: "POST",
            path: "/api/domains",
            body: r#"{"name":"bad_name!.test","dkim":"none"}"#,
            code: "invalid",
        },
        // A domain we have already.
        Case {
            cli: &["domain", "add", "example.test", "--dkim", "none"],
            stdin: None,
            method: "POST",
            path: "/api/domains",
            body: r#"{"name":"example.test","dkim":"none"}"#,
            code: "already_exists",
        },
        // A password too short to be allowed.
        Case {
            cli: &["account", "add", "newbie@example.test", "--password-stdin"],
            stdin: Some("abc\n"),
            method: "POST",
            path: "/api/accounts",
            body: r#"{"address":"newbie@example.test","password":"abc"}"#,
            code: "invalid",
        },
        // An account that exists already.
        Case {
            cli: &["account", "add", "alice@example.test", "--password-stdin"],
            stdin: Some("Another-Good-Pass-7\n"),
            method: "POST",
            path: "/api/accounts",
            body: r#"{"address":"alice@example.test","password":"Another-Good-Pass-7"}"#,
            code: "already_exists",
        },
        // An account in a domain we do not receive mail for.
        Case {
            cli: &["account", "add", "x@elsewhere.test", "--password-stdin"],
            stdin: Some("Another-Good-Pass-7\n"),
            method: "POST",
            path: "/api/accounts",
            body: r#"{"address":"x@elsewhere.test","password":"Another-Good-Pass-7"}"#,
            code: "not_found",
        },
        // Removing an account that does not exist.
        Case {
            cli: &["account", "remove", "nobody@example.test"],
            stdin: None,
            method: "DELETE",
            path: "/api/accounts/nobody@example.test",
            body: "-",
            code: "not_found",
        },
    ];
    for case in cases {
        let cli = cli_error(&server, case.cli, case.stdin);
        let (code, api) = api_error(&server, &token, case.method, case.path, case.body);
        assert_eq!(
            cli, api,
            "postroom {:?} vs {} {}",
            case.cli, case.method, case.path
        );
        assert_eq!(
            code, case.code,
            "{} {} {}: {api}",
            case.method, case.path, case.body
        );
        assert!(!api.is_empty(), "{} {}", case.method, case.path);
    }
    // Nothing of the refused input was made by either.
    let domains = server.ok(&["domain", "list"]);
    assert!(!domains.contains("bad_name"), "{domains}");
    let accounts = server.ok(&["account", "list"]);
    assert!(!accounts.contains("newbie@"), "{accounts}");
    assert!(!accounts.contains("elsewhere"), "{accounts}");
}

#[test]
fn the_cli_reports_what_the_api_made_and_the_other_way_round() {
    let (server, token) = admin_server("");
    // Made by the CLI, seen by the API, with the same normalisation (lower case).
    server.ok(&["domain", "add", "Branch.Example.TEST", "--dkim", "none"]);
    let reply = request(&server, "GET", "/api/domains", &token, "-");
    let domains: serde_json::Value = serde_json::from_str(&reply.body).expect("domains JSON");
    let names: Vec<&str> = domains
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(names.contains(&"branch.example.test"), "{names:?}");
    // Made by the API, listed by the CLI.
    let made = request(
        &server,
        "POST",
        "/api/accounts",
        &token,
        r#"{"address":"dora@branch.example.test","password":"Dora-Pass-Word-5"}"#,
    );
    assert!(made.status < 300, "{} {}", made.status, made.body);
    let listed = server.ok(&["account", "list"]);
    assert!(
        listed.lines().any(|l| l == "dora@branch.example.test"),
        "{listed}"
    );
    let quota = server.ok(&["account", "quota", "dora@branch.example.test"]);
    assert_eq!(
        quota.trim(),
        "dora@branch.example.test: 0 bytes used of no limit"
    );
}
