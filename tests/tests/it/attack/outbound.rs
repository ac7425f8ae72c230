//! Attacks on outbound mail (issue 13, items 3, 9, 13, 14), each performed against the real
//! binary with real peers (dnsmasq, aiosmtpd sinks, Python's smtplib), each checking the
//! outcome and that the server still answers afterwards:
//! - a stranger's forged "CEO" mail to a forwarding alias must not leave with our DKIM
//!   signature, and leaves with an SRS envelope sender whose bounces come back through us;
//! - a DSN with RET=FULL never returns a signed copy;
//! - ETRN from a client that is not allowed learns nothing and flushes nothing;
//! - a logged-in user cannot write someone else's address in From:;
//! - MX records pointing at loopback are not followed;
//! - a looping message (100 Received headers) is refused.

use std::time::Duration;

use tests::peers::{
    Dnsmasq, Peer, Remote, alice_sends, dns_for, free_port, message, server, state_of, submit,
    wait_state,
};
use tests::{Options, PASSWORD, Server, SmtpConn, python};

const WAIT_SECS: u64 = 30;
const WAIT: Duration = Duration::from_secs(WAIT_SECS);

/// Every listener of `server` still greets.
fn still_up(server: &Server) {
    for addr in [server.smtp, server.submission] {
        let mut conn = SmtpConn::connect(addr);
        assert!(
            conn.cmd("NOOP").starts_with("250"),
            "{addr} does not answer"
        );
    }
}

/// Sends `data` on port 25 from `from` to `rcpt` (with ESMTP parameters); the final reply.
fn send_port25(server: &Server, from: &str, rcpt: &str, data: &str) -> String {
    let mut conn = SmtpConn::connect(server.smtp);
    conn.expect("EHLO attacker.test", "250");
    let r = conn.cmd(&format!("MAIL FROM:<{from}> RET=FULL"));
    assert!(r.starts_with("250"), "MAIL: {r}");
    let r = conn.cmd(&format!("RCPT TO:<{rcpt}> NOTIFY=SUCCESS,FAILURE"));
    assert!(r.starts_with("250"), "RCPT: {r}");
    conn.expect("DATA", "354");
    conn.send(data.as_bytes());
    conn.cmd(".")
}

/// The forged mail of the review: From: "CEO" <ceo@example.test>, from the Internet.
fn forged_ceo(id: &str) -> String {
    format!(
        "From: \"CEO\" <ceo@example.test>\r\nTo: carol@example.test\r\nSubject: Wire the money\r\n\
         Message-ID: <{id}>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nPay invoice 42 today.\r\n"
    )
}

#[test]
fn forged_mail_forwarded_by_an_alias_leaves_unsigned_with_an_srs_sender() {
    // carol@example.test keeps a copy and forwards to carol@remote.test (the fixture); the
    // attacker's own domain evil.test receives what comes back.
    let port = free_port(&["127.0.0.1", "127.0.0.81", "127.0.0.82"]);
    let remote = Peer::start("127.0.0.81", port, &[]);
    let evil = Peer::start("127.0.0.82", port, &[]);
    let _dns = Dnsmasq::start(
        port,
        &[
            "--mx-host=remote.test,mx.remote.test,10".into(),
            "--host-record=mx.remote.test,127.0.0.81".into(),
            "--mx-host=evil.test,mx.evil.test,10".into(),
            "--host-record=mx.evil.test,127.0.0.82".into(),
        ],
    );
    // The anti-spoofing rule (issue #16, tests/it/trust/auth.rs) refuses this forgery
    // outright; off here, so the signing and SRS rules behind it are still tested.
    let server = server(port, port, "", "[filter]\nanti_spoofing = false\n");
    // example.test has a DKIM key: signing would happen if the origin were not checked.
    assert!(
        !server
            .sql("SELECT count(*) FROM dkim_keys")
            .starts_with('0')
    );

    let reply = send_port25(
        &server,
        "attacker@evil.test",
        "carol@example.test",
        &forged_ceo("forged-1@evil.test"),
    );
    assert!(reply.starts_with("250"), "{reply}");
    let got = remote.wait_messages(1, WAIT);
    let (envelope, content) = &got[0];
    assert!(
        content.contains("Message-ID: <forged-1@evil.test>"),
        "{content}"
    );
    // Never our signature on a stranger's message.
    assert!(!content.contains("DKIM-Signature"), "{content}");
    // The envelope sender is rewritten (SRS) in the alias's domain, naming the original.
    let srs = envelope["from"].as_str().expect("from").to_string();
    assert!(
        srs.starts_with("SRS0=") && srs.ends_with("=evil.test=attacker@example.test"),
        "{srs}"
    );

    // The relayed-DSN for NOTIFY=SUCCESS (the sink speaks no DSN) goes to the original
    // sender with RET=FULL: the message as received, unsigned.
    let dsn = evil.wait_messages(1, WAIT);
    assert!(dsn[0].1.contains("forged-1@evil.test"), "{}", dsn[0].1);
    assert!(!dsn[0].1.contains("DKIM-Signature"), "{}", dsn[0].1);

    // The remote side bounces later, to the SRS address: we take it and send it on to the
    // original sender.
    let bounce = format!(
        "From: MAILER-DAEMON@remote.test\r\nTo: {srs}\r\nSubject: Undelivered\r\n\
         Message-ID: <bounce-1@remote.test>\r\n\r\nThe forward could not be delivered.\r\n"
    );
    let mut conn = SmtpConn::connect(server.smtp);
    conn.expect("EHLO mx.remote.test", "250");
    conn.expect("MAIL FROM:<>", "250");
    let r = conn.cmd(&format!("RCPT TO:<{srs}>"));
    assert!(r.starts_with("250"), "RCPT of our own SRS address: {r}");
    conn.expect("DATA", "354");
    conn.send(bounce.as_bytes());
    conn.expect(".", "250");
    let back = evil.wait_messages(2, WAIT);
    assert!(back[1].1.contains("bounce-1@remote.test"), "{}", back[1].1);
    assert_eq!(back[1].0["from"], "<>", "{}", back[1].0);

    // Forged SRS addresses (a made-up hash; a real one with another original sender) are
    // refused: otherwise SRS would make us an open relay.
    let tampered = srs.replace("=attacker@", "=victim@");
    for forged in [
        "SRS0=abcdefgh=aa=victim.test=someone@example.test".to_string(),
        tampered,
    ] {
        conn.expect("MAIL FROM:<>", "250");
        let r = conn.cmd(&format!("RCPT TO:<{forged}>"));
        assert!(r.starts_with("550"), "{forged}: {r}");
        conn.expect("RSET", "250");
    }
    drop(conn);
    still_up(&server);
}

#[test]
fn a_dsn_with_ret_full_returns_the_message_unsigned() {
    // alice's own mail is signed; it fails at the remote end, and the failure notice with
    // RET=FULL must not hand her (or anyone) a signed copy to replay.
    let refuser = Remote::start(
        "127.0.0.83",
        "refuse.test",
        &["--rcpt-reply", "550 5.1.1 No such user"],
    );
    let server = refuser.server("", "");
    let text = message(
        "Alice <alice@example.test>",
        "nobody@refuse.test",
        "signed-dsn@test",
        "to be refused",
    );
    submit(
        &server,
        "alice@example.test",
        &["nobody@refuse.test"],
        &text,
        &["RET=FULL"],
        &["NOTIFY=FAILURE"],
    );
    wait_state(&server, "nobody@refuse.test", "failed", WAIT_SECS);
    let mbox = server.mbox_with(
        "alice@example.test",
        &[
            "Undelivered Mail Returned to Sender",
            "Message-ID: <signed-dsn@test>",
        ],
    );
    assert!(!mbox.contains("DKIM-Signature"), "{mbox}");
    still_up(&server);
}

/// Sends ETRN for each node from 127.0.0.1 and returns the replies.
fn etrn(server: &Server, nodes: &[&str]) -> Vec<String> {
    let mut conn = SmtpConn::greeted(server.smtp);
    nodes
        .iter()
        .map(|node| conn.cmd(&format!("ETRN {node}")).trim_end().to_string())
        .collect()
}

#[test]
fn etrn_from_a_client_not_allowed_learns_nothing_and_flushes_nothing() {
    // Mail for office.test waits (its host is down; the next retry is an hour away).
    let port = free_port(&["127.0.0.1", "127.0.0.84"]);
    let _dns = dns_for(port, "office.test", "127.0.0.84");
    let server = server(port, port, "retry = [\"1h\"]", "");
    alice_sends(&server, "boss@office.test", "etrn-attack@test");
    wait_state(&server, "boss@office.test", "deferred", WAIT_SECS);
    let due = || server.sql("SELECT next_attempt FROM queue WHERE recipient = 'boss@office.test'");
    let before = due();

    // 127.0.0.1 is in no [relay] network and there is no [relay] etrn: not allowed. The
    // answer is the same for a domain with mail and one without (RFC 1985 §5.1: 459).
    let replies = etrn(&server, &["office.test", "empty.test", "@office.test"]);
    for (reply, node) in replies
        .iter()
        .zip(["office.test", "empty.test", "@office.test"])
    {
        assert_eq!(reply, &format!("459 4.7.1 Node {node} not allowed"));
    }
    // The flush runs before the reply: nothing moved.
    assert_eq!(due(), before);
    assert_eq!(state_of(&server, "boss@office.test"), "deferred");
    still_up(&server);
}

#[test]
fn etrn_for_an_allowed_domain_answers_alike_whether_or_not_mail_waits() {
    let port = free_port(&["127.0.0.1", "127.0.0.85"]);
    let _dns = dns_for(port, "office.test", "127.0.0.85");
    let server = server(
        port,
        port,
        "retry = [\"1h\"]",
        "[relay]\netrn = [\"office.test\", \"empty.test\"]",
    );
    alice_sends(&server, "boss@office.test", "etrn-allowed@test");
    wait_state(&server, "boss@office.test", "deferred", WAIT_SECS);
    let due = || server.sql("SELECT next_attempt FROM queue WHERE recipient = 'boss@office.test'");
    let before = due();
    let replies = etrn(&server, &["office.test", "empty.test", "office.test"]);
    // §5.1 250 for both: no 251/252/253 telling who has mail here.
    assert_eq!(
        replies[0],
        "250 2.0.0 OK, queuing for node office.test started"
    );
    assert_eq!(
        replies[1],
        "250 2.0.0 OK, queuing for node empty.test started"
    );
    // Once a minute per node: the repeat does not scan and commit again.
    assert!(replies[2].starts_with("458 4.7.0"), "{}", replies[2]);
    // The allowed request did flush: the row was made due (and tried again).
    tests::peers::wait_until(WAIT, "a new attempt", || {
        server.sql("SELECT attempts FROM queue WHERE recipient = 'boss@office.test'") == "2"
    });
    assert_ne!(due(), before);
    still_up(&server);
}

/// Logs in as alice on submission and sends `message`; the DATA reply code and text.
fn alice_data_reply(server: &Server, message: &str) -> String {
    let out = python(
        "attack_outbound_alice_data_reply.py",
        &[
            &server.submission.port().to_string(),
            server.cert_path().to_str().expect("path"),
            PASSWORD,
            message,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if stdout.is_empty() {
        // smtplib raises SMTPDataError for a refusal: its (code, text) is on stderr.
        return String::from_utf8_lossy(&out.stderr).into_owned();
    }
    stdout
}

#[test]
fn a_logged_in_user_cannot_put_someone_elses_address_in_from() {
    let server = Server::start();
    let mail = |from: &str, id: &str| {
        format!(
            "From: {from}\r\nTo: bob@example.test\r\nSubject: hi\r\nMessage-ID: <{id}>\r\n\r\nhi\r\n"
        )
    };
    // Her own address, with a display name, and an alias that delivers to her: accepted.
    for (i, from) in [
        "\"Alice\" <alice@example.test>",
        "info@example.test",
        "Alice <ALICE@example.test>",
    ]
    .iter()
    .enumerate()
    {
        let reply = alice_data_reply(&server, &mail(from, &format!("own-{i}@test")));
        assert!(reply.starts_with("250"), "{from}: {reply}");
    }
    // Someone else's address (even behind her own name, or second in a list) and no
    // address at all: 550 5.7.1.
    for (i, from) in [
        "\"CEO\" <bob@example.test>",
        "\"alice@example.test\" <dave@example.test>",
        "alice@example.test, bob@example.test",
        "ceo@other.test",
        "The CEO",
    ]
    .iter()
    .enumerate()
    {
        let reply = alice_data_reply(&server, &mail(from, &format!("spoof-{i}@test")));
        assert!(
            reply.contains("550") && reply.contains("5.7.1"),
            "{from}: {reply}"
        );
    }
    let ids = server.message_ids("bob@example.test");
    assert_eq!(
        ids.iter().filter(|id| id.starts_with("<spoof")).count(),
        0,
        "{ids:?}"
    );
    assert_eq!(
        ids.iter().filter(|id| id.starts_with("<own")).count(),
        3,
        "{ids:?}"
    );
    still_up(&server);
}

#[test]
fn an_mx_at_a_loopback_address_is_refused_unless_allowed() {
    // inside.test's MX points at 127.0.0.86, where a sink would take the mail.
    let sink = Remote::start("127.0.0.86", "inside.test", &[]);
    let port = sink.port;
    // Without `allow_internal_mx` (the default).
    let server = Server::with(Options {
        extra_toml: format!("[dns]\nservers = [\"127.0.0.1:{port}\"]\n[queue]\nmx_port = {port}\n"),
        ..Options::default()
    });
    alice_sends(&server, "target@inside.test", "internal-mx@test");
    wait_state(&server, "target@inside.test", "failed", WAIT_SECS);
    let reason = server.sql("SELECT last_reply FROM queue WHERE recipient = 'target@inside.test'");
    assert!(
        reason.contains("internal addresses") && reason.contains("127.0.0.86"),
        "{reason}"
    );
    // alice hears why; the sink got nothing.
    server.mbox_with("alice@example.test", &["internal addresses"]);
    assert!(sink.peer.messages().is_empty());
    assert!(
        !sink.peer.events().contains("DATA"),
        "{}",
        sink.peer.events()
    );
    still_up(&server);
}

#[test]
fn a_message_with_100_received_headers_is_refused_as_a_loop() {
    let server = Server::start();
    let with_hops = |n: usize, id: &str| {
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "Received: from hop{i}.test by hop{}.test; Fri, 27 Nov 2026 10:00:00 +0000\r\n",
                i + 1
            ));
        }
        text.push_str(&tests::message(id, "loop"));
        text
    };
    // 99 hops plus ours is the limit (RFC 5321 §6.3): accepted; one more is refused.
    for (hops, want) in [(99, "250"), (100, "554 5.4.6")] {
        let id = format!("hops-{hops}@test");
        let reply = send_port25(
            &server,
            "sender@outside.test",
            "alice@example.test",
            &with_hops(hops, &id),
        );
        assert!(reply.starts_with(want), "{hops} Received headers: {reply}");
    }
    let ids = server.message_ids("alice@example.test");
    assert!(ids.contains(&"<hops-99@test>".to_string()), "{ids:?}");
    assert!(!ids.contains(&"<hops-100@test>".to_string()), "{ids:?}");
    still_up(&server);
}
