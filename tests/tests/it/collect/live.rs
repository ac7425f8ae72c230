//! `[[collect]]` jobs changed while the server runs (issue #7), against a private Dovecot:
//! a job added through the admin API collects at once; a second job added does not make the
//! first run again; an edited job runs with its new settings and remembers what it
//! collected; a removed job leaves the list while the other keeps its state; and a job
//! replaced in the middle of a run (its connection held by a stalling proxy) is stopped
//! between commits, its replacement collecting the rest: every message exactly once.

use tests::collect::{
    Dovecot, PASSWORD, Status, expected_ids, inbox_count, message, office, postroom,
    stalling_proxy, status, unique_ids, wait_for,
};
use tests::ddns::api;
use tests::{Server, json};

/// A `[[collect]]` table as JSON.
fn job(protocol: &str, port: u16, user: &str, account: &str, extra: &str) -> String {
    format!(
        r#"{{"protocol":"{protocol}","host":"127.0.0.1","port":{port},"tls":"none","user":"{user}","password":"{PASSWORD}","account":"{account}","interval":"1h"{extra}}}"#
    )
}

fn jobs(server: &Server, token: &str) -> serde_json::Value {
    let (code, text) = api(server, token, "GET", "/api/collect", "");
    assert_eq!(code, 200, "{text}");
    json(&text)
}

fn same_state(a: &Status, b: &Status) {
    for key in [
        "runs",
        "last_run",
        "next_run",
        "fetched_total",
        "last_error",
    ] {
        assert_eq!(a.get(key), b.get(key), "{key}");
    }
}

#[test]
fn collection_jobs_added_edited_and_removed_live_run_without_a_restart() {
    let dovecot = Dovecot::start(&["office", "shop"], false);
    for n in 0..5 {
        dovecot.put("office", n, &message(n, "To: alice@example.test\n"));
    }
    let (server, token) = postroom("");
    assert_eq!(jobs(&server, &token), serde_json::json!([]));

    // A validation error names the job's field.
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/collect",
        r#"{"protocol":"pop3","host":"127.0.0.1","password":"x","account":"alice@example.test"}"#,
    );
    assert_eq!(code, 400, "{text}");
    assert_eq!(json(&text)["field"], "user", "{text}");

    // Added: in effect now, collected at once.
    let pop3 = job(
        "pop3",
        dovecot.pop3,
        "office",
        "alice@example.test",
        r#","keep_days":0"#,
    );
    let (code, text) = api(&server, &token, "POST", "/api/collect", &pop3);
    assert_eq!(code, 200, "{text}");
    let applied = json(&text);
    assert_eq!(applied["applied"], serde_json::json!(["collect"]), "{text}");
    assert_eq!(applied["pending_restart"], serde_json::json!([]), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    let first = wait_for(&server, &token, 0, "the added job's run", |s| {
        s.number("runs") >= 1
    });
    assert_eq!(first.get("last_error"), "null");
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..5)
    );
    assert_eq!(dovecot.count("office"), 0);

    // A second job: it runs; the first is not run again.
    for n in 10..13 {
        dovecot.put("shop", n, &message(n, ""));
    }
    let imap = job("imap", dovecot.imap, "shop", "bob@example.test", "");
    let (code, text) = api(&server, &token, "POST", "/api/collect", &imap);
    assert_eq!(code, 200, "{text}");
    wait_for(&server, &token, 1, "the second job's run", |s| {
        s.number("runs") >= 1
    });
    assert_eq!(
        unique_ids(&server, "bob@example.test"),
        expected_ids(10..13)
    );
    assert_eq!(dovecot.count("shop"), 3, "left on the server");
    same_state(&status(&server, &token, 0), &first);

    // Edited (the stored password kept): the new account and deletion apply; what the job
    // collected before is remembered, so only the new message is fetched.
    dovecot.put("shop", 13, &message(13, ""));
    let edited = job(
        "imap",
        dovecot.imap,
        "shop",
        "dave@example.test",
        r#","keep_days":0"#,
    )
    .replace(PASSWORD, "********");
    let (code, text) = api(&server, &token, "PUT", "/api/collect/1", &edited);
    assert_eq!(code, 200, "{text}");
    let second = wait_for(&server, &token, 1, "the edited job's run", |s| {
        s.get("account") == "dave@example.test" && s.number("runs") >= 1
    });
    assert_eq!(second.get("last_error"), "null");
    assert_eq!(unique_ids(&server, "dave@example.test"), expected_ids([13]));
    assert_eq!(
        unique_ids(&server, "bob@example.test"),
        expected_ids(10..13)
    );
    assert_eq!(dovecot.count("shop"), 0);
    same_state(&status(&server, &token, 0), &first);

    // Removed: the other job moves up with its state; "run now" reaches it at its new index.
    let (code, text) = api(&server, &token, "DELETE", "/api/collect/0", "");
    assert_eq!(code, 200, "{text}");
    let list = jobs(&server, &token);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let moved = status(&server, &token, 0);
    assert_eq!(moved.get("label"), second.get("label"));
    same_state(&moved, &second);
    let saved = std::fs::read_to_string(server.data_dir().join("postroom.toml")).expect("config");
    assert_eq!(saved.matches("[[collect]]").count(), 1, "{saved}");
    let (code, text) = api(&server, &token, "POST", "/api/collect/0/run", "");
    assert_eq!(code, 200, "{text}");
    wait_for(&server, &token, 0, "run now", |s| s.number("runs") >= 2);
    let (code, _) = api(&server, &token, "DELETE", "/api/collect/3", "");
    assert_eq!(code, 404);
}

#[test]
fn a_job_replaced_during_a_run_delivers_every_message_exactly_once() {
    let dovecot = office(false, 0..300, "To: alice@example.test\n");
    // The first session stalls after about 100 messages (1.6 KB each).
    let (port, _connections) = stalling_proxy(dovecot.pop3, 160_000);
    let (server, token) = postroom("");
    let pop3 = job(
        "pop3",
        port,
        "office",
        "alice@example.test",
        r#","keep_days":0"#,
    );
    let (code, text) = api(&server, &token, "POST", "/api/collect", &pop3);
    assert_eq!(code, 200, "{text}");
    wait_for(&server, &token, 0, "a run that is stuck part-way", |s| {
        s.flag("running") && inbox_count(&server, "alice@example.test") > 0
    });

    // Replaced (a new interval) while that run waits: it is stopped, the new job collects.
    let edited = pop3.replace(r#""interval":"1h""#, r#""interval":"2h""#);
    let (code, text) = api(&server, &token, "PUT", "/api/collect/0", &edited);
    assert_eq!(code, 200, "{text}");
    wait_for(&server, &token, 0, "the replacement's run", |s| {
        s.number("runs") >= 1 && s.get("last_error") == "null"
    });
    assert!(
        server.log().contains("collection job stopped during a run"),
        "{}",
        server.log()
    );
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..300)
    );
    assert_eq!(dovecot.count("office"), 0);
}
