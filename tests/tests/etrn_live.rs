//! `[[etrn]]` entries changed while the server runs (issue #7): an entry added through the
//! admin API asks its backup MX at once, "run now" asks again, an edited entry runs with its
//! new domains, an entry added by hand to `postroom.toml` applies on SIGHUP without
//! running the unchanged entry again, and a removed entry leaves the list. Backup MXes: the
//! in-test SMTP peer of `etrn_support` (EHLO lists ETRN; 250 for example.test, 458 else).

mod ddns_support;
mod etrn_support;

use std::process::Command;

use ddns_support::{api, wait_until};
use etrn_support::{BackupMx, status};
use tests::{Options, Server};

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
    assert_eq!(status(&server, &token), "[]");

    // A validation error names the entry's field.
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/etrn",
        &entry(&first, r#"["not a domain"]"#),
    );
    assert_eq!(code, 400, "{text}");
    assert!(text.contains(r#""field":"domains[0]""#), "{text}");

    // Added: in effect now, and asked at once.
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/etrn",
        &entry(&first, r#"["example.test"]"#),
    );
    assert_eq!(code, 200, "{text}");
    assert!(text.contains(r#""applied":["etrn"]"#), "{text}");
    assert!(text.contains(r#""pending_restart":[]"#), "{text}");
    wait_until(
        "ETRN from the new entry",
        || first.count("ETRN example.test") == 1,
        &context,
    );
    wait_until(
        "its status",
        || status(&server, &token).contains(r#""result":"started""#),
        &context,
    );
    let json = status(&server, &token);
    assert!(json.contains(r#""trigger":"settings""#), "{json}");
    assert!(json.contains(r#""next_run":1"#), "{json}");
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
        || status(&server, &token).contains(r#""trigger":"manual""#),
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
        || status(&server, &token).contains(r#""result":"refused""#),
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
    let json = status(&server, &token);
    let at = |index: usize, mx: &BackupMx| {
        format!(
            r#""index":{index},"host":"127.0.0.1","port":{}"#,
            mx.addr.port()
        )
    };
    assert!(json.contains(&at(0, &second)), "{json}");
    assert!(json.contains(&at(1, &first)), "{json}");

    // Removed: the other entry stays, with its state.
    let (code, text) = api(&server, &token, "DELETE", "/api/etrn/1", "");
    assert_eq!(code, 200, "{text}");
    let json = status(&server, &token);
    assert!(!json.contains(&at(1, &first)), "{json}");
    assert!(json.contains(&at(0, &second)), "{json}");
    assert!(json.contains(r#""result":"started""#), "{json}");
    let saved = std::fs::read_to_string(&path).expect("config");
    assert_eq!(saved.matches("[[etrn]]").count(), 1, "{saved}");
    let (code, _) = api(&server, &token, "DELETE", "/api/etrn/1", "");
    assert_eq!(code, 404);
}
