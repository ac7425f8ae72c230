//! ETRN (RFC 1985): a client asks for the mail we hold for its domain; deferred mail goes
//! out at once instead of at its next retry (an hour away), and the replies follow §5.1.
//! Only for the domains `[relay] etrn` allows, with one answer (250) whether or not mail
//! waits, once a minute per node (the attacks are in outbound_attack.rs).

use std::time::Duration;

use tests::peers::{Peer, alice_sends, dns_for, free_port, server, wait_state, wait_until};

#[test]
fn etrn_flushes_deferred_mail_for_a_domain_we_hold_mail_for() {
    // The office's server at 127.0.0.61 is offline at first: the mail is deferred.
    let port = free_port(&["127.0.0.1", "127.0.0.61"]);
    let dns = dns_for(port, "office.test", "127.0.0.61");
    let server = server(
        dns.port,
        port,
        "retry = [\"1h\"]",
        "[relay]\netrn = [\"office.test\"]",
    );
    alice_sends(&server, "boss@office.test", "etrn-1@test");
    wait_state(&server, "boss@office.test", "deferred", 30);

    let mut conn = tests::SmtpConn::connect(server.smtp);
    assert!(
        conn.cmd("ETRN office.test").starts_with("503"),
        "EHLO first"
    );
    let ehlo = conn.cmd("EHLO office.test");
    assert!(ehlo.contains("ETRN"), "advertised: {ehlo}");
    conn.expect("ETRN", "501");
    conn.expect("ETRN not a domain", "501");
    conn.expect("ETRN #outbound", "459");
    // A domain that is not a client's.
    conn.expect("ETRN other.test", "459");

    // Held mail is not waiting to go: the answer is 250 all the same (no 251 telling what is
    // here), and the row stays held.
    let id = server.sql("SELECT id FROM queue WHERE recipient = 'boss@office.test'");
    server.ok(&["queue", "hold", &id]);
    let attempts = || server.sql("SELECT attempts FROM queue WHERE recipient = 'boss@office.test'");
    let before = attempts();
    conn.expect("ETRN @office.test", "250");
    assert_eq!(
        server.sql(&format!(
            "SELECT state, attempts FROM queue WHERE id = {id}"
        )),
        format!("held\t{before}")
    );
    // Released, it is tried again at once (the office is still offline).
    server.ok(&["queue", "release", &id]);
    wait_until(Duration::from_secs(30), "a second attempt", || {
        attempts() != before
            && server.sql("SELECT state FROM queue WHERE recipient = 'boss@office.test'")
                == "deferred"
    });

    // The office comes online and asks for its mail: it arrives without waiting an hour.
    let peer = Peer::start("127.0.0.61", port, &[]);
    conn.expect("ETRN office.test", "250");
    let got = peer.wait_messages(1, Duration::from_secs(30));
    assert!(
        got[0].1.contains("Message-ID: <etrn-1@test>"),
        "{:?}",
        got[0]
    );
    wait_state(&server, "boss@office.test", "delivered", 10);
    // Asked again within the minute: 458, nothing scanned.
    conn.expect("ETRN office.test", "458");
    conn.expect("QUIT", "221");
}
