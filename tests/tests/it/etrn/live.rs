//! `[[etrn]]` entries changed while the server runs (issue #7): an entry added through the
//! admin API asks its backup MX at once, "run now" asks again, an edited entry runs with its
//! new domains, an entry added by hand to `postroom.toml` applies on SIGHUP without
//! running the unchanged entry again, and a removed entry leaves the list. Backup MXes: the
//! in-test SMTP peer of `etrn_support` (EHLO lists ETRN; 250 for example.test, 458 else).

use std::process::Command;

use tests::ddns::{api, wait_until};
use tests::etrn::{BackupMx, any_answer, any_entry, entry_at, status};
use tests::{Options, Server, json};

fn entry(mx: &BackupMx, domains: &str) -> String {
    format!(
        r#"{{"host":"127.0.0.1","port":{},"domains":{domains},"tls":"none","interval":"1d"}}"#,
        mx.addr.port()
    )
}

#[test]
fn etrn_entries_added_edited_and_removed_live_are_used_without_a_restart() {
    let (first, second) = (BackupMx::start(), BackupMx::start());
    let server = Server::with(Options {
        services: vec!["admin".into()],
        empty: true,
        ..Options::default()
    });
    let token = server.ok(&["admin", "token"]).trim().to_string();
    let context = || {
        format!(
            "first saw:\n{}\nsecond saw:\n{}\nserver log:\n{}",
            first.dump(),
            second.dump(),
            server.log()
        )
    };
    assert_eq!(status(&server, &token), serde_json::json!([]));

    // A validation error names the entry's field.
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/etrn",
        &entry(&first, r#"["not a domain"]"#),
    );
    assert_eq!(code, 400, "{text}");
    assert_eq!(json(&text)["field"], "domains[0]", "{text}");

    // Added: in effect now, and asked at once.
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/etrn",
        &entry(&first, r#"["example.test"]"#),
    );
    assert_eq!(code, 200, "{text}");
    let applied = json(&text);
    assert_eq!(applied["applied"], serde_json::json!(["etrn"]), "{text}");
    assert_eq!(applied["pending_restart"], serde_json::json!([]), "{text}");
    wait_until(
        "ETRN from the new entry",
        || first.count("ETRN example.test") == 1,
        &context,
    );
    wait_until(
        "its status",
        || any_answer(&status(&server, &token), "result", "started"),
        &context,
    );
    let entries = status(&server, &token);
    assert!(any_entry(&entries, "trigger", "settings"), "{entries}");
    // The next run on the interval is set (a unix time).
    assert!(
        entries[0]["next_run"].as_i64().is_some_and(|t| t > 0),
        "{entries}"
    );
    let saved = std::fs::read_to_string(server.data_dir().join("postroom.toml")).expect("config");
    assert!(saved.contains("[[etrn]]"), "{saved}");

    // Run now.
    let (code, text) = api(&server, &token, "POST", "/api/etrn/0/run", "");
    assert_eq!(code, 200, "{text}");
    wait_until(
        "ETRN on run now",
        || first.count("ETRN example.test") == 2,
        &context,
    );
    wait_until(
        "the manual run's status",
        || any_entry(&status(&server, &token), "trigger", "manual"),
        &context,
    );
    let (code, _) = api(&server, &token, "POST", "/api/etrn/5/run", "");
    assert_eq!(code, 404);

    // Edited: runs at once with both domains.
    let edited = entry(&first, r#"["example.test","other.test"]"#);
    let (code, text) = api(&server, &token, "PUT", "/api/etrn/0", &edited);
    assert_eq!(code, 200, "{text}");
    wait_until(
        "ETRN for the added domain",
        || first.count("ETRN other.test") == 1,
        &context,
    );
    wait_until(
        "the refused domain's status",
        || any_answer(&status(&server, &token), "result", "refused"),
        &context,
    );
    let asked = first.count("ETRN example.test");
    assert_eq!(asked, 3, "{}", context());

    // By hand, before the existing entry, then SIGHUP: the new entry runs; the unchanged
    // one moves to index 1 and is not asked again.
    let path = server.data_dir().join("postroom.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let added = format!(
        "[[etrn]]\nhost = \"127.0.0.1\"\nport = {}\ndomains = [\"example.test\"]\ntls = \"none\"\n\n",
        second.addr.port()
    );
    let text = text.replacen("[[etrn]]\n", &format!("{added}[[etrn]]\n"), 1);
    std::fs::write(&path, text).expect("config");
    let hup = Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    wait_until(
        "ETRN from the entry added by hand",
        || second.count("ETRN example.test") == 1,
        &context,
    );
    assert!(
        server.log().contains("ETRN entries updated"),
        "{}",
        context()
    );
    assert_eq!(first.count("ETRN example.test"), asked, "{}", context());
    let entries = status(&server, &token);
    assert!(entry_at(&entries, 0, &second).is_some(), "{entries}");
    assert!(entry_at(&entries, 1, &first).is_some(), "{entries}");

    // Removed: the other entry stays, with its state.
    let (code, text) = api(&server, &token, "DELETE", "/api/etrn/1", "");
    assert_eq!(code, 200, "{text}");
    let entries = status(&server, &token);
    assert!(entry_at(&entries, 1, &first).is_none(), "{entries}");
    assert!(entry_at(&entries, 0, &second).is_some(), "{entries}");
    assert!(any_answer(&entries, "result", "started"), "{entries}");
    let saved = std::fs::read_to_string(&path).expect("config");
    assert_eq!(saved.matches("[[etrn]]").count(), 1, "{saved}");
    let (code, _) = api(&server, &token, "DELETE", "/api/etrn/1", "");
    assert_eq!(code, 404);
}
