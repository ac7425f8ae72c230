//! The first-run wizard against the real binary: every invalid input is refused naming its
//! field with nothing changed, then a valid run sets the hostname, the domain, the first
//! account (which then receives mail over SMTP), the admin password and the certificate;
//! signing in with that password (a wrong one is 401; from this computer never locked); the
//! accounts' storage quota through the API.

use serde_json::json;
use tests::admin::{
    account, admin_server, admin_server_with, expect_status, patch_account, request, sign_in,
};
use tests::{Options, Server, python_ok};

const GOOD_ACCOUNT: &str = r#"{"address":"owner@shop.test","password":"Long-Enough-7"}"#;
const ADMIN_PASSWORD: &str = "Panel-Pass-42";

/// A wizard request with one part replaced.
fn wizard(hostname: &str, domain: &str, account: &str, admin: &str, certificate: &str) -> String {
    format!(
        r#"{{"hostname":"{hostname}","domain":"{domain}","account":{account},"admin_password":"{admin}","certificate":{certificate}}}"#
    )
}

fn refused_on(server: &Server, token: &str, body: &str, field: &str) {
    let reply = request(server, "POST", "/api/setup", token, body);
    assert_eq!(reply.status, 400, "{body}: {}", reply.body);
    assert_eq!(reply.json()["field"], field, "{field}: {}", reply.body);
}

#[test]
fn the_wizard_checks_every_field_then_sets_the_server_up() {
    let (server, token) = admin_server_with(Options {
        empty: true,
        ..Options::default()
    });
    let state = request(&server, "GET", "/api/setup", &token, "-");
    assert_eq!(
        state.body,
        r#"{"needed":true,"hostname":"mx.example.test"}"#
    );
    let self_signed = r#"{"kind":"self_signed"}"#;
    for (body, field) in [
        (
            wizard(
                "not a host",
                "shop.test",
                GOOD_ACCOUNT,
                ADMIN_PASSWORD,
                self_signed,
            ),
            "hostname",
        ),
        (
            wizard(
                "mail.shop.test",
                "shop.test",
                r#"{"address":"owner@other.test","password":"Long-Enough-7"}"#,
                ADMIN_PASSWORD,
                self_signed,
            ),
            "account.address",
        ),
        (
            wizard(
                "mail.shop.test",
                "shop.test",
                r#"{"address":"owner@shop.test","password":"short"}"#,
                ADMIN_PASSWORD,
                self_signed,
            ),
            "account.password",
        ),
        (
            wizard(
                "mail.shop.test",
                "shop.test",
                GOOD_ACCOUNT,
                "pw",
                self_signed,
            ),
            "admin_password",
        ),
        (
            wizard(
                "mail.shop.test",
                "shop.test",
                GOOD_ACCOUNT,
                ADMIN_PASSWORD,
                r#"{"kind":"import","cert_pem":"nonsense","key_pem":"nonsense"}"#,
            ),
            "certificate.cert_pem",
        ),
        (
            wizard(
                "mail.shop.test",
                "bad domain",
                r#"{"address":"owner@bad domain","password":"Long-Enough-7"}"#,
                ADMIN_PASSWORD,
                self_signed,
            ),
            "domain",
        ),
    ] {
        refused_on(&server, &token, &body, field);
    }
    // Nothing was made by the refused attempts.
    let domains = request(&server, "GET", "/api/domains", &token, "-");
    assert_eq!(domains.body, "[]");
    assert!(
        std::fs::read_to_string(server.data_dir().join("postroom.toml"))
            .expect("config")
            .contains("hostname = \"mx.example.test\"")
    );

    let body = wizard(
        "Mail.Shop.test",
        "shop.test",
        GOOD_ACCOUNT,
        ADMIN_PASSWORD,
        self_signed,
    );
    let done = expect_status(&server, "POST", "/api/setup", &token, &body, 200);
    assert_eq!(done.json(), json!({"done": true}));
    let state = request(&server, "GET", "/api/setup", &token, "-");
    assert_eq!(
        state.json(),
        json!({"needed": false, "hostname": "mail.shop.test"})
    );
    expect_status(&server, "POST", "/api/setup", &token, &body, 409);
    assert!(
        std::fs::read_to_string(server.data_dir().join("postroom.toml"))
            .expect("config")
            .contains("hostname = \"mail.shop.test\"")
    );
    let cert = request(&server, "GET", "/api/certificate", &token, "-");
    let certificate = cert.json();
    assert!(
        certificate["names"] == json!(["mail.shop.test", "localhost"])
            && certificate["self_signed"] == true,
        "{}",
        cert.body
    );

    // The new account receives mail; the server greets with its new name.
    let out = python_ok("admin_setup_submit.py", &[&server.smtp.port().to_string()]);
    assert!(
        out.starts_with("mail.shop.test") && out.contains("sent"),
        "{out}"
    );
    assert!(server.export("owner@shop.test").contains("<wizard@test>"));

    // The admin password signs in; a wrong one does not.
    let wrong = sign_in(&server, r#"{"password":"Not-The-One-1"}"#);
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert_eq!(wrong.json()["field"], "password", "{}", wrong.body);
    assert!(wrong.cookie().is_empty());
    let signed = sign_in(&server, &format!(r#"{{"password":"{ADMIN_PASSWORD}"}}"#));
    assert_eq!(signed.status, 200, "{}", signed.body);
    let cookie = signed.cookie();
    let cookie = cookie.split(';').next().expect("cookie");
    expect_status(
        &server,
        "GET",
        "/api/status",
        &format!("cookie:{cookie}"),
        "-",
        200,
    );
}

#[test]
fn failed_sign_ins_from_this_computer_never_lock_the_panel() {
    let (server, token) = admin_server_with(Options {
        limits: vec!["auth_failures_per_ip = 2".into()],
        ..Options::default()
    });
    // Without an admin password set, no password signs in.
    for _ in 0..4 {
        let wrong = sign_in(&server, r#"{"token":"nope"}"#);
        assert_eq!(wrong.status, 401, "{}", wrong.body);
        let message = wrong.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains("wrong token"), "{}", wrong.body);
    }
    // Past the threshold, but from loopback: whoever is at this computer gets in.
    let signed = sign_in(&server, &format!(r#"{{"token":"{token}"}}"#));
    assert_eq!(signed.status, 200, "{}", signed.body);
    let status = request(&server, "GET", "/api/status", &token, "-");
    assert_eq!(status.status, 200);
}

#[test]
fn accounts_show_and_change_their_storage_quota() {
    let (server, token) = admin_server("");
    let alice = "alice@example.test";
    let set = patch_account(&server, &token, alice, r#"{"quota_bytes":5000000}"#);
    assert_eq!(set.status, 204, "{}", set.body);
    assert_eq!(
        account(&server, &token, alice),
        json!({
            "address": "alice@example.test",
            "disabled": false,
            "quota_bytes": 5000000,
            "used_bytes": 0
        })
    );
    let unlimited = patch_account(&server, &token, alice, r#"{"quota_bytes":null}"#);
    assert_eq!(unlimited.status, 204, "{}", unlimited.body);
    let shown = account(&server, &token, alice);
    assert!(
        shown["disabled"] == false && shown["quota_bytes"].is_null(),
        "{shown}"
    );
    let negative = patch_account(&server, &token, alice, r#"{"quota_bytes":-1}"#);
    assert_eq!(negative.status, 400, "{}", negative.body);
}
