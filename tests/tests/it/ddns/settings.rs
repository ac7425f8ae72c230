//! `[ddns]` edited through the admin API's settings: turning it on applies at once (no
//! restart), and the settings never show a record's password, token or key secret.

use tests::admin::has;
use tests::ddns::*;
use tests::json;

#[test]
fn enabling_ddns_in_the_settings_starts_it_at_once_and_secrets_stay_hidden() {
    let peer = Peer::start("81.2.69.160", "2a00:1450:4001::1");
    let url = peer.url();
    let cf_url = format!("{url}/client/v4");
    let dyn_keys = [
        ("endpoint", url.as_str()),
        ("username", DYN.0),
        ("password", DYN.1),
    ];
    let cf_keys = [
        ("endpoint", cf_url.as_str()),
        ("zone", CF_ZONE),
        ("password", CF_TOKEN),
    ];
    let records = record("dyndns2", "mail.example.test", &dyn_keys)
        + &record("cloudflare", "cf.example.test", &cf_keys);
    let (server, token) = server(&peer, false, &records);
    let log = server.log_path();
    let context = || dump(&peer, &log);
    assert_eq!(json(&status(&server, &token))["enabled"], false);

    let (code, settings) = api(&server, &token, "GET", "/api/settings", "");
    assert_eq!(code, 200, "{settings}");
    let records = &json(&settings)["settings"]["ddns"]["record"];
    assert!(has(records, "password", "********"), "{settings}");
    assert!(!settings.contains("SECRET"), "{settings}");

    let (code, answer) = api(
        &server,
        &token,
        "PUT",
        "/api/settings",
        r#"{"ddns": {"enabled": true}}"#,
    );
    assert_eq!(code, 200, "{answer}");
    assert_eq!(
        json(&answer)["applied"],
        serde_json::json!(["ddns.enabled"]),
        "{answer}"
    );
    assert!(!answer.contains("SECRET"), "{answer}");
    let updated = |line: &str| peer.updates().lines().any(|l| l == line);
    wait_until(
        "both records updated after the settings change",
        || {
            updated("dyndns2 mail.example.test A 81.2.69.160")
                && updated("cloudflare cf.example.test A 81.2.69.160")
        },
        &context,
    );
    let text = status(&server, &token);
    assert_eq!(json(&text)["enabled"], true, "{text}");
    // The file keeps the real secrets: the redacted GET values were never written back.
    let file = std::fs::read_to_string(server.data_dir().join("postroom.toml")).expect("toml");
    assert!(file.contains(DYN.1) && file.contains(CF_TOKEN), "{file}");
    no_secrets(&server, &text);
}
