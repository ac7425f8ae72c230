//! Mail from the Internet on port 25: local users, aliases, lists, catch-all, forwards, and the
//! refusals (unknown user, relay, size), through Python's smtplib, swaks and curl.

use tests::{Options, Server, message, python, python_ok};

/// smtplib: send one message; prints the reply code of each refused recipient or "OK".
const SEND: &str = "smtp_delivery_send.py";

fn send(server: &Server, rcpts: &str, msg: &str) -> String {
    let port = server.smtp.port().to_string();
    python_ok(
        SEND,
        &["127.0.0.1", &port, "sender@outside.test", rcpts, msg],
    )
    .trim()
    .to_string()
}

#[test]
fn local_user_receives_mail_with_a_received_header() {
    let server = Server::start();
    assert_eq!(
        send(
            &server,
            "alice@example.test",
            &message("local-1@test", "hello")
        ),
        "OK"
    );
    let mbox = server.export("alice@example.test");
    assert!(mbox.contains("Message-ID: <local-1@test>"), "{mbox}");
    // RFC 5321 §4.4: our Received header is on top, naming us and the recipient.
    let first_header = mbox.lines().nth(1).unwrap_or_default();
    assert!(first_header.starts_with("Received: from "), "{mbox}");
    assert!(mbox.contains("by mx.example.test (Postroom)"), "{mbox}");
    assert!(mbox.contains("for <alice@example.test>"), "{mbox}");
    assert!(server.message_ids("bob@example.test").is_empty());
}

#[test]
fn recipient_matching_ignores_case() {
    let server = Server::start();
    assert_eq!(
        send(
            &server,
            "Alice@EXAMPLE.test",
            &message("case-1@test", "case")
        ),
        "OK"
    );
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<case-1@test>"]
    );
}

#[test]
fn alias_delivers_to_its_account() {
    let server = Server::start();
    assert_eq!(
        send(
            &server,
            "info@example.test",
            &message("alias-1@test", "alias")
        ),
        "OK"
    );
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<alias-1@test>"]
    );
}

#[test]
fn list_delivers_to_every_member_and_stores_the_body_once() {
    let server = Server::start();
    assert_eq!(
        send(
            &server,
            "sales@example.test",
            &message("list-1@test", "list")
        ),
        "OK"
    );
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<list-1@test>"]
    );
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<list-1@test>"]
    );
    // One blob, referenced by both INBOX rows.
    assert_eq!(
        server.sql("SELECT count(*), max(refcount) FROM blobs"),
        "1\t2"
    );
}

#[test]
fn one_message_to_several_local_recipients_is_stored_once_and_delivered_once_each() {
    let server = Server::start();
    // alice directly, via info and via sales: still one copy for alice.
    let r = send(
        &server,
        "alice@example.test,info@example.test,sales@example.test",
        &message("multi-1@test", "multi"),
    );
    assert_eq!(r, "OK");
    assert_eq!(server.message_ids("alice@example.test").len(), 1);
    assert_eq!(server.message_ids("bob@example.test").len(), 1);
    assert_eq!(server.sql("SELECT count(*) FROM messages"), "2");
    assert_eq!(server.sql("SELECT count(*) FROM blobs"), "1");
}

#[test]
fn catch_all_takes_any_local_part_of_its_domain() {
    let server = Server::start();
    assert_eq!(
        send(
            &server,
            "whoever@catchall.test",
            &message("catch-1@test", "catch-all")
        ),
        "OK"
    );
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<catch-1@test>"]
    );
}

#[test]
fn forward_keeps_a_copy_and_queues_the_outside_target() {
    let server = Server::start();
    assert_eq!(
        send(
            &server,
            "carol@example.test",
            &message("fwd-1@test", "forward")
        ),
        "OK"
    );
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<fwd-1@test>"]
    );
    // The outside address is a queue row for the outbound queue, with the original recipient,
    // marked as mail from the Internet (never DKIM-signed), whose envelope sender is rewritten
    // (SRS) in the forwarding alias's domain. (The queue tries it at once; its state and any
    // DSN row from <> are the queue tests'.)
    let rows = server.sql("SELECT recipient, orcpt, origin FROM queue WHERE sender != ''");
    assert_eq!(
        rows,
        "carol@remote.test\trfc822;carol@example.test\tinbound"
    );
    let sender = server.sql("SELECT sender FROM queue WHERE sender != ''");
    assert!(
        sender.starts_with("SRS0=") && sender.ends_with("=outside.test=sender@example.test"),
        "{sender}"
    );
}

#[test]
fn unknown_local_user_is_rejected_550_at_rcpt() {
    let server = Server::start();
    let r = send(
        &server,
        "nobody@example.test",
        &message("unknown-1@test", "x"),
    );
    assert_eq!(r, "REFUSED nobody@example.test:550");
}

#[test]
fn good_recipients_still_get_mail_when_another_is_refused() {
    let server = Server::start();
    let r = send(
        &server,
        "nobody@example.test,bob@example.test",
        &message("partial-1@test", "x"),
    );
    assert_eq!(r, "OK nobody@example.test:550");
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<partial-1@test>"]
    );
}

#[test]
fn relay_to_an_outside_domain_is_refused_554_without_auth() {
    let server = Server::start();
    let r = send(
        &server,
        "victim@elsewhere.test",
        &message("relay-1@test", "x"),
    );
    assert_eq!(r, "REFUSED victim@elsewhere.test:554");
    assert_eq!(server.sql("SELECT count(*) FROM queue"), "0");
}

#[test]
fn oversized_message_is_refused_552_and_not_stored() {
    let server = Server::with(Options {
        limits: vec!["max_message_size = 4096".into()],
        ..Options::default()
    });
    let big = format!("{}{}\r\n", message("big-1@test", "big"), "x".repeat(8000));
    let r = send(&server, "alice@example.test", &big);
    assert!(r.starts_with("ERROR 552"), "{r}");
    assert!(r.contains("5.3.4"), "{r}");
    assert!(server.message_ids("alice@example.test").is_empty());
}

#[test]
fn declared_size_over_the_limit_is_refused_552_at_mail() {
    let server = Server::with(Options {
        limits: vec!["max_message_size = 4096".into()],
        ..Options::default()
    });
    let script = "smtp_delivery_declared_size.py";
    let out = python_ok(script, &[&server.smtp.port().to_string()]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("552 b'5.3.4"), "{out}");
    assert!(lines[1].starts_with("250"), "{out}");
}

#[test]
fn swaks_delivers_to_a_local_user() {
    let server = Server::start();
    let out = std::process::Command::new("swaks")
        .args([
            "--server",
            &server.smtp.to_string(),
            "--from",
            "sender@outside.test",
            "--to",
            "bob@example.test",
        ])
        .args([
            "--header",
            "Subject: via swaks",
            "--header",
            "Message-Id: <swaks-1@test>",
            "--body",
            "hi from swaks",
        ])
        .output()
        .expect("swaks is installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mbox = server.export("bob@example.test");
    assert!(
        mbox.contains("<swaks-1@test>") && mbox.contains("hi from swaks"),
        "{mbox}"
    );
}

#[test]
fn curl_delivers_over_smtp() {
    let server = Server::start();
    let file = server.data_dir().join("curl.eml");
    std::fs::write(&file, message("curl-1@test", "via curl")).expect("write");
    let url = format!("smtp://{}/client.test", server.smtp);
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "--url",
            &url,
            "--mail-from",
            "sender@outside.test",
            "--mail-rcpt",
            "dave@example.test",
        ])
        .arg("--upload-file")
        .arg(&file)
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        server.message_ids("dave@example.test"),
        vec!["<curl-1@test>"]
    );
}

#[test]
fn utf8_addresses_are_accepted_with_smtputf8() {
    let server = Server::start();
    server.ok_stdin(
        &["account", "add", "张伟@example.test", "--password-stdin"],
        "Correct-Horse-9\n",
    );
    let script = "smtp_delivery_smtputf8.py";
    assert_eq!(
        python_ok(script, &[&server.smtp.port().to_string()]).trim(),
        "OK"
    );
    let mbox = server.export("张伟@example.test");
    assert!(
        mbox.contains("<utf8-1@test>") && mbox.contains("with UTF8SMTP"),
        "{mbox}"
    );
}

#[test]
fn dsn_parameters_are_accepted_and_stored_on_queue_rows() {
    let server = Server::start();
    let script = "smtp_delivery_dsn.py";
    let out = python_ok(script, &[&server.smtp.port().to_string()]);
    assert!(out.lines().all(|l| l.starts_with("250")), "{out}");
    let row =
        server.sql("SELECT recipient, notify, orcpt, envid, ret FROM queue WHERE sender != ''");
    assert_eq!(
        row,
        "carol@remote.test\tSUCCESS,FAILURE\trfc822;carol@example.test\tenv+id\tHDRS"
    );
}

#[test]
fn the_server_answers_python_with_all_advertised_extensions() {
    let server = Server::start();
    let out = python("smtp_ehlo.py", &[&server.smtp.port().to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    for ext in [
        "PIPELINING",
        "SIZE",
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "STARTTLS",
        "CHUNKING",
        "DSN",
    ] {
        assert!(text.contains(ext), "{ext} missing from {text}");
    }
    // AUTH only once the channel is encrypted.
    assert!(!text.contains("AUTH"), "{text}");
}
