//! Direct delivery to MX hosts found by our real resolver (hickory) asking dnsmasq: MX
//! preference and failover, the A-record fallback, null MX, a domain that does not exist,
//! and a DNS server that refuses (RFC 5321 §5.1, RFC 7505).

use std::time::Duration;

use tests::peers::{
    Dnsmasq, Peer, Postfix, Remote, alice_sends, dns_for, free_port, has_recipient, message,
    queue_show, server, submit, wait_state, wait_until,
};

#[test]
fn mail_goes_to_the_preferred_mx_that_answers_and_lands_in_postfix_maildir() {
    // 127.0.0.11: nothing listens (preference 5, tried first); 127.0.0.12: Postfix (10).
    let port = free_port(&["127.0.0.1", "127.0.0.11", "127.0.0.12"]);
    let postfix = Postfix::start("127.0.0.12", port, "remote.test", &["bob"], "");
    let dns = Dnsmasq::start(
        port,
        &[
            "--mx-host=remote.test,dead.remote.test,5".into(),
            "--mx-host=remote.test,mx.remote.test,10".into(),
            "--host-record=dead.remote.test,127.0.0.11".into(),
            "--host-record=mx.remote.test,127.0.0.12".into(),
        ],
    );
    let server = server(dns.port, port, "", "");
    alice_sends(&server, "bob@remote.test", "mx-1@test");
    wait_state(&server, "bob@remote.test", "delivered", 30);
    wait_until(
        Duration::from_secs(20),
        "Postfix to store the message",
        || !postfix.maildir("remote.test", "bob").is_empty(),
    );
    let stored = postfix.maildir("remote.test", "bob").join("\n");
    assert!(stored.contains("Message-ID: <mx-1@test>"), "{stored}");
    // Dot-stuffing went out and came back: the line still starts with one dot.
    assert!(stored.contains("\n.leading dot"), "{stored}");
    // Mail from our domain is DKIM-signed.
    assert!(stored.contains("DKIM-Signature:"), "{stored}");
    // The history names the host that took it; `queue show` prints it.
    let shown = queue_show(&server, "bob@remote.test");
    assert!(shown.contains("mx.remote.test [127.0.0.12]"), "{shown}");
    assert!(shown.contains("delivered"), "{shown}");
}

#[test]
fn a_domain_without_mx_gets_its_mail_at_its_address_record() {
    let port = free_port(&["127.0.0.1", "127.0.0.13"]);
    let peer = Peer::start("127.0.0.13", port, &[]);
    let dns = Dnsmasq::start(
        port,
        &[
            "--host-record=plain.test,127.0.0.13".into(),
            "--local=/plain.test/".into(),
        ],
    );
    let server = server(dns.port, port, "", "");
    alice_sends(&server, "carl@plain.test", "a-1@test");
    let got = peer.wait_messages(1, Duration::from_secs(30));
    assert!(has_recipient(&got[0].0, "carl@plain.test"), "{:?}", got[0]);
    wait_state(&server, "carl@plain.test", "delivered", 10);
}

#[test]
fn null_mx_and_a_missing_domain_fail_at_once_and_the_local_sender_gets_a_dsn() {
    let port = free_port(&["127.0.0.1"]);
    let dns = Dnsmasq::start(
        port,
        &[
            "--mx-host=nomail.test,.,0".into(),
            "--address=/gone.test/".into(),
        ],
    );
    let server = server(dns.port, port, "retry = [\"1h\"]", "");
    submit(
        &server,
        "alice@example.test",
        &["x@nomail.test", "y@gone.test"],
        &message(
            "alice@example.test",
            "x@nomail.test",
            "fail-1@test",
            "doomed",
        ),
        &[],
        &[],
    );
    // One attempt each, no retries.
    wait_state(&server, "x@nomail.test", "failed", 20);
    wait_state(&server, "y@gone.test", "failed", 20);
    assert_eq!(
        server.sql("SELECT attempts FROM queue WHERE sender != '' ORDER BY id"),
        "1\n1"
    );
    wait_until(Duration::from_secs(10), "the DSNs in alice's INBOX", || {
        server
            .export("alice@example.test")
            .matches("Action: failed")
            .count()
            >= 2
    });
    let inbox = server.export("alice@example.test");
    assert!(
        inbox.contains("Status: 5.1.10"),
        "null MX (RFC 7505): {inbox}"
    );
    assert!(inbox.contains("Status: 5.1.2"), "no such domain: {inbox}");
    assert!(inbox.contains("Content-Type: multipart/report"), "{inbox}");
    assert!(
        inbox.contains("Final-Recipient: rfc822; x@nomail.test"),
        "{inbox}"
    );
}

#[test]
fn a_refusing_dns_server_defers_rather_than_fails() {
    let port = free_port(&["127.0.0.1"]);
    // dnsmasq without upstream answers REFUSED for names it does not know.
    let dns = Dnsmasq::start(port, &[]);
    let server = server(dns.port, port, "retry = [\"1h\"]", "");
    alice_sends(&server, "z@unknown.test", "defer-1@test");
    wait_state(&server, "z@unknown.test", "deferred", 30);
    let list = server.ok(&["queue", "list"]);
    assert!(
        list.contains("z@unknown.test") && list.contains("deferred"),
        "{list}"
    );
    assert!(list.contains("DNS"), "the reason is shown: {list}");
    // Nothing went back to the sender: a deferral is not a failure.
    assert!(
        !server
            .export("alice@example.test")
            .contains("Action: failed")
    );
}

#[test]
fn a_trusted_network_relays_through_port_25_without_auth_and_others_may_not() {
    let remote = Remote::start("127.0.0.14", "far.test", &[]);
    let trusting = remote.server("", "[relay]\nnetworks = [\"127.0.0.0/8\"]\n");
    let mut conn = tests::SmtpConn::in_transaction(trusting.smtp, "kim@far.test");
    conn.expect("DATA", "354");
    conn.send(b"Subject: relayed\r\nMessage-ID: <trusted@test>\r\n\r\nhi\r\n.\r\n");
    conn.expect_reply("250");
    let got = remote.peer.wait_messages(1, Duration::from_secs(30));
    assert!(got[0].1.contains("<trusted@test>"));

    // The default: no trusted network, so an unauthenticated client cannot relay.
    let strict = remote.server("", "");
    let mut conn = tests::SmtpConn::greeted(strict.smtp);
    conn.expect("MAIL FROM:<sender@outside.test>", "250");
    conn.expect("RCPT TO:<kim@far.test>", "554");
}

#[test]
fn eight_bit_mail_to_a_server_without_8bitmime_is_returned_not_mangled() {
    let port = free_port(&["127.0.0.1", "127.0.0.15"]);
    // RFC 6152: a server that does not announce 8BITMIME must not get 8-bit data.
    let postfix = Postfix::start(
        "127.0.0.15",
        port,
        "old.test",
        &["uma"],
        "smtpd_discard_ehlo_keywords = 8bitmime",
    );
    let dns = dns_for(port, "old.test", "127.0.0.15");
    let server = server(dns.port, port, "", "");
    let text = "From: alice@example.test\r\nTo: uma@old.test\r\nSubject: menu\r\n\
                Message-ID: <8bit@test>\r\nMIME-Version: 1.0\r\n\
                Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\
                \r\nCaf\u{e9} cr\u{e8}me\r\n";
    submit(
        &server,
        "alice@example.test",
        &["uma@old.test"],
        text,
        &["BODY=8BITMIME"],
        &[],
    );
    wait_state(&server, "uma@old.test", "failed", 30);
    wait_until(Duration::from_secs(10), "the DSN", || {
        server
            .export("alice@example.test")
            .contains("Action: failed")
    });
    let inbox = server.mbox_with("alice@example.test", &["Status: 5.6.3"]);
    assert!(inbox.contains("8BITMIME"), "the reason is given: {inbox}");
    assert!(postfix.maildir("old.test", "uma").is_empty());
}
