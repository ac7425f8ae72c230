//! The content filter (issue #16): rule hits named in X-Spam-Status, the Bayesian classifier
//! learning from IMAP MOVE into and out of Junk and changing the next verdict, and the allow
//! and block lists (CLI and admin API). Mail comes over smtplib from 127.0.0.1 on port 25,
//! as from the Internet; the stored copy is read back over imaplib.

use std::time::Duration;

use tests::admin::{expect_status, find};
use tests::{Options, PASSWORD, Server, python_ok};

/// Words of the mail bob moves into Junk and leaves there.
const SPAMMY: &str = "cheap replica watches casino bonus winner prize guaranteed discount";
/// Words of the mail bob moves into Junk by mistake and back out.
const HAMMY: &str = "quarterly budget review meeting agenda minutes project schedule";

fn server(extra_toml: &str) -> Server {
    Server::with(Options {
        services: vec!["imap".into(), "admin".into()],
        extra_toml: tests::checking_local_clients(extra_toml),
        ..Options::default()
    })
}

/// An ordinary-looking message (Date, Message-ID, text) from `from`.
fn message(from: &str, subject: &str, text: &str) -> String {
    format!(
        "From: {from}\r\nTo: bob@example.test\r\nSubject: {subject}\r\n\
         Date: Mon, 07 Dec 2026 10:00:00 +0800\r\nMessage-ID: <{}@test>\r\n\r\n{text}\r\n",
        subject.replace(' ', ".")
    )
}

/// Sends `message` to bob over smtplib; smtplib's outcome line (`OK`, `ERROR 550 ...`).
fn send(server: &Server, from: &str, message: &str) -> String {
    let port = server.smtp.port().to_string();
    python_ok(
        "smtp_send.py",
        &["127.0.0.1", &port, from, "bob@example.test", message],
    )
    .trim()
    .to_string()
}

/// Where bob's message with `subject` is, and its X-Spam-Status field.
fn find_message(server: &Server, subject: &str) -> (String, String) {
    let port = server.addr("imap").port().to_string();
    let out = python_ok(
        "trust_content_find.py",
        &[&port, PASSWORD, "bob@example.test", subject],
    );
    let (mailbox, field) = out.trim().split_once('\t').unwrap_or(("none", ""));
    (mailbox.to_string(), field.to_string())
}

/// Sends an ordinary-looking message from `from` to bob; where it went and its
/// X-Spam-Status field.
fn deliver(server: &Server, from: &str, subject: &str, text: &str) -> (String, String) {
    assert_eq!(send(server, from, &message(from, subject, text)), "OK");
    find_message(server, subject)
}

/// X-Spam-Status says `spam` ("Yes" or "No") and names `rule`.
fn assert_verdict(status: &str, spam: &str, rule: &str) {
    assert!(
        status.starts_with(&format!("X-Spam-Status: {spam},")) && status.contains(rule),
        "want {spam} with {rule}: {status}"
    );
}

#[test]
fn rule_hits_are_named_in_x_spam_status() {
    let server = server("");
    // No Date or Message-ID, a link to a bare IP address, a password-expiry lure in Chinese.
    let lure = "From: IT <it@helpdesk.example>\r\nTo: bob@example.test\r\nSubject: notice one\r\n\
                Content-Type: text/plain; charset=utf-8\r\n\r\n\
                \u{60a8}\u{7684}\u{90ae}\u{7bb1}\u{5bc6}\u{7801}\u{5373}\u{5c06}\u{8fc7}\u{671f}: \
                http://198.51.100.7/login\r\n";
    assert_eq!(send(&server, "it@helpdesk.example", lure), "OK");
    let (_, status) = find_message(&server, "notice one");
    for rule in [
        "MISSING_DATE",
        "MISSING_MESSAGE_ID",
        "URL_BARE_IP",
        "PHISH_PASSWORD",
    ] {
        assert!(status.contains(rule), "{rule} missing: {status}");
    }
    // 1.0 + 0.5 + 2.0 + 2.5 reaches the Junk score.
    assert!(status.starts_with("X-Spam-Status: Yes"), "{status}");
    // An ordinary message hits no rule.
    let (mailbox, status) = deliver(
        &server,
        "ann@shop.example",
        "lunch plans",
        "See you at noon.",
    );
    assert_eq!(mailbox, "INBOX");
    assert!(status.starts_with("X-Spam-Status: No"), "{status}");
    for rule in ["MISSING", "URL_", "PHISH_", "SUBJECT_", "FROM_", "HTML"] {
        assert!(!status.contains(rule), "{rule} in {status}");
    }
}

#[test]
fn bayes_learns_from_imap_moves_into_and_out_of_junk() {
    let server = server("");
    for i in 0..10 {
        let spam = message("promo@deals.example", &format!("offer {i}"), SPAMMY);
        assert_eq!(send(&server, "promo@deals.example", &spam), "OK");
        let ham = message("ann@partner.example", &format!("budget {i}"), HAMMY);
        assert_eq!(send(&server, "ann@partner.example", &ham), "OK");
    }
    // Not trained yet: no classifier score.
    let (_, status) = find_message(&server, "offer 0");
    assert!(!status.contains("BAYES"), "{status}");
    let port = server.addr("imap").port().to_string();
    let moved = python_ok("trust_content_train.py", &[&port, PASSWORD]);
    assert_eq!(
        moved.lines().collect::<Vec<_>>(),
        ["to junk OK", "back OK 10", "junk \"Junk\" (MESSAGES 10)"]
    );
    // The learner runs beside the sessions: wait until it has counted all 20 moves (10 of
    // them twice: into Junk, then back out, which unlearns the spam count).
    let trained = "account bob@example.test: 10 spam, 10 ham";
    tests::wait_until(Duration::from_secs(30), "the classifier trained", || {
        server.ok(&["filter", "classifiers"]).contains(trained)
    });
    let classifiers = server.ok(&["filter", "classifiers"]);
    assert!(
        classifiers.contains("domain example.test: 10 spam, 10 ham"),
        "{classifiers}"
    );
    // The next message like those left in Junk is spam by the classifier alone; one like
    // those moved back is not.
    let (mailbox, status) = deliver(&server, "promo@deals.example", "offer new", SPAMMY);
    assert_eq!(mailbox, "Junk");
    assert_verdict(&status, "Yes", "BAYES_99");
    let (mailbox, status) = deliver(&server, "ann@partner.example", "budget new", HAMMY);
    assert_eq!(mailbox, "INBOX");
    assert_verdict(&status, "No", "BAYES_00");
    // Moving them all again: only the new ham is learned (the new spam was delivered into
    // Junk by the filter, and its own verdicts never train it); the twenty already counted
    // are not counted twice.
    python_ok("trust_content_train.py", &[&port, PASSWORD]);
    tests::wait_until(Duration::from_secs(30), "the second moves learned", || {
        server.sql("SELECT count(*) FROM junk_pending").trim() == "0"
    });
    let again = server.ok(&["filter", "classifiers"]);
    assert!(
        again.contains("account bob@example.test: 10 spam, 11 ham"),
        "{again}"
    );
}

#[test]
fn allow_and_block_lists_override_the_score() {
    let server = server("");
    server.ok(&[
        "filter",
        "block",
        "deals.example",
        "--for",
        "bob@example.test",
    ]);
    server.ok(&[
        "filter",
        "allow",
        "it@helpdesk.example",
        "--for",
        "example.test",
    ]);
    let lists = server.ok(&["filter", "lists"]);
    assert_eq!(
        lists.lines().collect::<Vec<_>>(),
        [
            "bob@example.test block deals.example",
            "example.test allow it@helpdesk.example"
        ]
    );
    // Blocked: to Junk whatever the content.
    let (mailbox, status) = deliver(&server, "promo@news.deals.example", "weekly news", "Hello.");
    assert_eq!(mailbox, "Junk");
    assert_verdict(&status, "Yes", "SENDER_BLOCKED");
    // Allowed for the whole domain: a password notice from the help desk is not spam.
    let (mailbox, status) = deliver(
        &server,
        "it@helpdesk.example",
        "password reminder",
        "Your password expires on Friday: http://198.51.100.7/",
    );
    assert_eq!(mailbox, "INBOX");
    assert_verdict(&status, "No", "SENDER_ALLOWED");
    // Unknown owners and malformed senders are refused with the reason.
    let out = server.cli(
        &[
            "filter",
            "block",
            "x.example",
            "--for",
            "nobody@example.test",
        ],
        None,
    );
    assert!(!out.status.success());
    let out = server.cli(
        &["filter", "allow", "not a sender", "--for", "example.test"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a sender address or domain"));
}

#[test]
fn a_blocked_sender_is_refused_in_the_dialogue_with_block_rejects() {
    let server = server("[filter]\nblock_rejects = true\n");
    server.ok(&[
        "filter",
        "block",
        "promo@deals.example",
        "--for",
        "bob@example.test",
    ]);
    let offer = message("promo@deals.example", "weekly news", "Hello.");
    let outcome = send(&server, "promo@deals.example", &offer);
    assert!(outcome.starts_with("ERROR 550"), "{outcome}");
    // Another sender of the same domain is not on the list.
    let other = message("ann@deals.example", "from ann", "Hello.");
    assert_eq!(send(&server, "ann@deals.example", &other), "OK");
}

#[test]
fn the_admin_api_edits_the_lists() {
    let server = server("");
    let token = server.ok(&["admin", "token"]).trim().to_string();
    let body = r#"{"owner":"bob@example.test","pattern":"deals.example","action":"block"}"#;
    expect_status(&server, "POST", "/api/filter/lists", &token, body, 201);
    let lists = expect_status(&server, "GET", "/api/filter/lists", &token, "-", 200).json();
    let entry = find(&lists, "pattern", "deals.example").cloned();
    assert_eq!(
        entry,
        Some(serde_json::json!({
            "owner": "bob@example.test", "pattern": "deals.example",
            "action": "block", "for_domain": false
        }))
    );
    let bad = r#"{"owner":"bob@example.test","pattern":"deals.example","action":"maybe"}"#;
    let reply = expect_status(&server, "POST", "/api/filter/lists", &token, bad, 400);
    assert_eq!(reply.json()["code"], "invalid");
    let path = "/api/filter/lists/bob@example.test/deals.example";
    expect_status(&server, "DELETE", path, &token, "-", 204);
    expect_status(&server, "DELETE", path, &token, "-", 404);
    let classifiers =
        expect_status(&server, "GET", "/api/filter/classifiers", &token, "-", 200).json();
    assert_eq!(classifiers, serde_json::json!([]));
}
