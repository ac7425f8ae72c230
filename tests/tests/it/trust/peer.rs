//! Connection-time inputs (`trust::peer`): DNS blocklists with weights served by dnsmasq,
//! Spamhaus-style refusals (127.255.255.x) that are not listings, forward-confirmed reverse
//! DNS and the HELO name, as scores in X-Spam-Status; over the reject score, refused at the
//! end of DATA. The client is 127.0.0.1, so `check_local_clients` is on.

use tests::peers::{Dnsmasq, free_port};
use tests::{Options, Server, SmtpConn, message, python_ok};

/// A server resolving through dnsmasq on `port`, with these `[filter] blocklists`.
fn server(port: u16, blocklists: &str) -> Server {
    Server::with(Options {
        extra_toml: format!(
            "[dns]\nservers = [\"127.0.0.1:{port}\"]\n[filter]\ncheck_local_clients = true\n\
             blocklists = {blocklists}\n"
        ),
        ..Options::default()
    })
}

/// dnsmasq: 127.0.0.1 listed in bl.test (127.0.0.2), refused by refused.test (Spamhaus's
/// answer through a public resolver), absent from clean.test; `ptr`: 127.0.0.1 is
/// mail.client.test and back (forward-confirmed).
fn dns(ptr: bool) -> Dnsmasq {
    let port = free_port(&["127.0.0.1"]);
    let mut records = vec![
        "--host-record=1.0.0.127.bl.test,127.0.0.2".to_string(),
        "--host-record=1.0.0.127.refused.test,127.255.255.254".to_string(),
        "--local=/clean.test/".to_string(),
        "--local=/in-addr.arpa/".to_string(),
    ];
    if ptr {
        records.push("--host-record=mail.client.test,127.0.0.1".to_string());
    }
    Dnsmasq::start(port, &records)
}

/// Sends one message with `helo`; returns the reply to its end of data.
fn send(c: &mut SmtpConn, helo: &str, id: &str) -> String {
    c.expect(&format!("EHLO {helo}"), "250");
    c.expect("MAIL FROM:<sender@outside.test>", "250");
    c.expect("RCPT TO:<alice@example.test>", "250");
    c.expect("DATA", "354");
    c.send(format!("{}.\r\n", message(id, "peer")).as_bytes());
    c.reply()
}

/// The X-Spam-Status field of the one message in alice's mailbox.
fn spam_status(server: &Server) -> String {
    let mbox = server.export("alice@example.test");
    let line = mbox.lines().find(|l| l.starts_with("X-Spam-Status:"));
    line.unwrap_or_else(|| panic!("no X-Spam-Status: {mbox}"))
        .to_string()
}

#[test]
fn a_listing_adds_its_weight_and_a_refused_query_is_no_listing() {
    let dns = dns(true);
    let server = server(
        dns.port,
        "[\"bl.test=6\", \"refused.test=9\", \"clean.test=9\"]",
    );
    let mut c = SmtpConn::connect(server.smtp);
    let r = send(&mut c, "client.test", "peer-1@test");
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let status = spam_status(&server);
    // 6 from bl.test only; reverse DNS confirmed and a good HELO add nothing.
    assert!(status.contains("score=6.0"), "{status}");
    assert!(status.contains("DNSBL_BL_TEST"), "{status}");
    assert!(status.contains("DNSBL_UNKNOWN"), "{status}");
    for absent in ["REFUSED_TEST", "CLEAN_TEST", "RDNS", "FCRDNS", "HELO_"] {
        assert!(!status.contains(absent), "{absent}: {status}");
    }
}

#[test]
fn a_client_over_the_reject_score_is_refused_at_the_end_of_data_for_each_message() {
    let dns = dns(true);
    let server = server(dns.port, "[\"bl.test=20\"]");
    let mut c = SmtpConn::connect(server.smtp);
    // The lookups made at connection are kept for the session's next message.
    for n in 0..2 {
        let r = send(&mut c, "client.test", &format!("peer-refused-{n}@test"));
        assert!(r.starts_with("550 5.7.1"), "{r}");
        assert!(r.contains("DNSBL_BL_TEST"), "{r}");
    }
    c.expect("QUIT", "221");
    assert!(server.message_ids("alice@example.test").is_empty());
    // Still up.
    SmtpConn::connect(server.smtp).expect("NOOP", "250");
}

#[test]
fn an_unconfirmed_reverse_name_and_our_own_name_in_helo_are_scored() {
    let dns = dns(false);
    let server = server(dns.port, "[\"clean.test=9\"]");
    // From 127.0.0.3: its PTR name is `localhost` (RFC 6761 §6.3, answered by the resolver
    // itself), which resolves to 127.0.0.1, not back to it. The test server's host name is
    // mx.example.test.
    let port = server.smtp.port().to_string();
    let args = [
        "127.0.0.3",
        &port,
        "mx.example.test",
        "alice@example.test",
        "peer-2@test",
    ];
    let r = python_ok("trust_send_from.py", &args);
    assert_eq!(r.trim(), "OK");
    let status = spam_status(&server);
    assert!(status.contains("score=4.0"), "{status}");
    assert!(status.contains("FCRDNS_FAIL"), "{status}");
    assert!(status.contains("HELO_OURS"), "{status}");
}
