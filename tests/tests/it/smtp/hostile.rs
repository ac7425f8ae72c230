//! Hostile input: SMTP smuggling, STARTTLS command injection, huge lines, stalled clients,
//! error floods. Each gets the right reply, and the server stays up and loses nothing.

use std::time::Duration;

use tests::{Server, SmtpConn, message, poll_until, python_ok};

/// Sends a message whose body hides a second transaction behind a non-standard end of data;
/// returns the one reply to it.
fn smuggle(server: &Server, n: usize, fake_end: &str) -> String {
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail("alice@example.test");
    c.expect("DATA", "354");
    let payload = format!(
        "Subject: outer\r\nMessage-ID: <outer-{n}@test>\r\n\r\nouter body{fake_end}MAIL FROM:<admin@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled body\r\n.\r\n"
    );
    c.send(payload.as_bytes());
    // Exactly one reply: the smuggled commands were message content.
    let r = c.reply();
    let r2 = c.cmd("NOOP");
    assert!(
        r2.starts_with("250 2.0.0"),
        "{fake_end:?}: a second reply was queued: {r2}"
    );
    c.expect("QUIT", "221");
    r
}

#[test]
fn smtp_smuggling_variants_never_split_a_message() {
    let server = Server::start();
    let mut kept = Vec::new();
    for (n, fake_end) in [
        "\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\n.\r", "\r.\n",
    ]
    .into_iter()
    .enumerate()
    {
        let r = smuggle(&server, n, fake_end);
        // A bare LF is a line end stored as CRLF (Postfix's `normalize`): the message is
        // one message with the "commands" as its text. A bare CR refuses it whole.
        if fake_end.replace("\r\n", "").contains('\r') {
            assert!(r.starts_with("550 5.6.0"), "{fake_end:?}: {r}");
        } else {
            assert!(r.starts_with("250 2.0.0"), "{fake_end:?}: {r}");
            kept.push(format!("<outer-{n}@test>"));
        }
    }
    assert_eq!(kept.len(), 3);
    assert!(server.message_ids("bob@example.test").is_empty());
    assert_eq!(server.message_ids("alice@example.test"), kept);
    let mbox = server.mbox_with("alice@example.test", &["smuggled body"]);
    assert_eq!(mbox.matches("\nRCPT TO:<bob@example.test>\n").count(), 3);
}

#[test]
fn dot_stuffing_is_undone_and_a_real_end_of_data_is_crlf_dot_crlf() {
    let server = Server::start();
    let mut c = SmtpConn::in_transaction(server.smtp, "alice@example.test");
    c.data(
        b"Subject: dots\r\nMessage-ID: <dots@test>\r\n\r\n..leading dot\r\n...\r\n.\r\n",
        "250",
    );
    server.mbox_with("alice@example.test", &["\n.leading dot\n..\n"]);
}

#[test]
fn commands_pipelined_behind_starttls_are_discarded() {
    let server = Server::start();
    let out = python_ok(
        "smtp_hostile_starttls_pipelined.py",
        &[&server.smtp.port().to_string()],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("220"), "{out}");
    assert_eq!(lines[1], "250", "{out}");
    // No MAIL is in effect inside TLS: the injected one was thrown away.
    assert!(lines[2].starts_with("503 5.5.1"), "{out}");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_ten_megabyte_command_line_gets_500_without_being_buffered() {
    let server = Server::start();
    let before = rss_kib(server.pid());
    let mut c = SmtpConn::connect(server.smtp);
    c.send(b"NOOP ");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..10 {
        c.send(&chunk);
    }
    c.send(b"\r\n");
    c.expect_reply("500 5.5.2");
    c.expect("NOOP", "250");
    let after = rss_kib(server.pid());
    // The line is discarded as it streams in, never held whole.
    assert!(
        after < before + 8 * 1024,
        "RSS grew from {before} KiB to {after} KiB"
    );
}

#[test]
fn a_client_that_stops_mid_data_is_timed_out_and_nothing_is_stored() {
    let server = Server::with_limits(&["data_timeout_secs = 1"]);
    let mut c = SmtpConn::in_transaction(server.smtp, "alice@example.test");
    c.cmd("DATA");
    c.send(b"Subject: stalled\r\nMessage-ID: <stalled@test>\r\n\r\nhalf a mess");
    c.expect_reply("421 4.4.2");
    assert!(c.is_closed());
    assert!(server.message_ids("alice@example.test").is_empty());
    // The server is still serving.
    let mut c2 = SmtpConn::connect(server.smtp);
    c2.expect("NOOP", "250");
}

#[test]
fn a_client_that_disconnects_mid_data_loses_only_its_own_message() {
    let server = Server::start();
    {
        let mut c = SmtpConn::in_transaction(server.smtp, "alice@example.test");
        c.cmd("DATA");
        c.send(b"Subject: cut\r\nMessage-ID: <cut@test>\r\n\r\npartial");
    }
    // The server has seen the cut (its session ended) before the next client sends.
    let ended = || server.log().contains("disconnected");
    assert!(
        poll_until(Duration::from_secs(30), ended),
        "{}",
        server.log()
    );
    let mut c = SmtpConn::in_transaction(server.smtp, "alice@example.test");
    c.cmd("DATA");
    c.send(message("after-cut@test", "ok").as_bytes());
    c.send(b".\r\n");
    c.expect_reply("250");
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<after-cut@test>"]
    );
}

#[test]
fn an_idle_client_is_timed_out_with_421() {
    let server = Server::with_limits(&["command_timeout_secs = 1"]);
    let mut c = SmtpConn::connect(server.smtp);
    c.expect_reply("421 4.4.2");
}

#[test]
fn too_many_errors_close_the_session_with_421() {
    let server = Server::with_limits(&["max_errors = 3"]);
    let mut c = SmtpConn::connect(server.smtp);
    for _ in 0..3 {
        c.expect("BOGUS", "500 5.5.1");
    }
    // The fourth error is answered, then the session ends with 421.
    c.expect("BOGUS", "500 5.5.1");
    c.expect_reply("421 4.7.0");
    assert!(c.is_closed());
}

#[test]
fn garbage_and_binary_input_get_errors_not_crashes() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.smtp);
    for line in [
        &b"\x00\x01\x02\xff\xfe\r\n"[..],
        b"MAIL FROM:<\xff@x>\r\n",
        b"RCPT TO:\r\n",
        b"EHLO\r\n",
        b"MAIL FROM:<a@b> SIZE=99999999999999999999999\r\n",
        b"BDAT xyz\r\n",
        b"AUTH PLAIN ****\r\n",
    ] {
        c.send(line);
        let r = c.reply();
        assert!(r.starts_with('5'), "{line:?}: {r}");
    }
    c.expect("NOOP", "250");
}

#[test]
fn a_whole_pipelined_transaction_gets_its_replies_in_order() {
    let server = Server::start();
    let mut c = SmtpConn::greeted(server.smtp);
    c.send(b"MAIL FROM:<a@outside.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
    for expected in ["250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "354"] {
        let r = c.reply();
        assert!(r.starts_with(expected), "expected {expected}, got {r}");
    }
    c.send(
        format!(
            "{}.\r\nMAIL FROM:<b@outside.test>\r\nRSET\r\nQUIT\r\n",
            message("piped@test", "p")
        )
        .as_bytes(),
    );
    for expected in ["250 2.0.0", "250 2.1.0", "250 2.0.0", "221"] {
        let r = c.reply();
        assert!(r.starts_with(expected), "expected {expected}, got {r}");
    }
    assert_eq!(server.message_ids("bob@example.test"), vec!["<piped@test>"]);
}

#[test]
fn connections_over_the_per_ip_limit_get_421() {
    let server = Server::with_limits(&["max_connections_per_ip = 2"]);
    let _a = SmtpConn::connect(server.smtp);
    let _b = SmtpConn::connect(server.smtp);
    let out = python_ok("socket_greeting.py", &[&server.smtp.port().to_string()]);
    assert!(out.starts_with("421 4.7.0"), "{out}");
}
