//! Greylisting (RFC 6647) against a real sender that retries: a private Postfix relaying to
//! Postroom with a short retry. The first try gets 451 4.7.1; the retry after the delay
//! passes; the message arrives exactly once; the triplet and the client network are then
//! known in the database.

use std::time::Duration;

use tests::peers::{Postfix, free_port};
use tests::{Options, Server, SmtpConn, message, wait_until};

#[test]
fn a_postfix_that_retries_is_delivered_once_after_the_delay() {
    let server = Server::with(Options {
        extra_toml: "[filter]\ngreylisting = true\ngreylist_delay_secs = 2\n\
                     check_local_clients = true\nblocklists = []\n"
            .into(),
        ..Options::default()
    });
    let port = free_port(&["127.0.0.1", "127.0.0.31"]);
    // Postfix takes mail from loopback on 127.0.0.31 and relays it to Postroom, retrying
    // deferred mail every second or two.
    let postfix = Postfix::start(
        "127.0.0.31",
        port,
        "sender.test",
        &[],
        &format!(
            "relayhost = [{}]:{}\nsmtpd_relay_restrictions = permit_mynetworks, \
             reject_unauth_destination\nqueue_run_delay = 1s\nminimal_backoff_time = 1s\n\
             maximal_backoff_time = 2s\nsmtp_helo_name = mail.sender.test\n",
            server.smtp.ip(),
            server.smtp.port()
        ),
    );
    let mut c = SmtpConn::connect(format!("127.0.0.31:{port}").parse().expect("addr"));
    c.expect("EHLO client.test", "250");
    c.expect("MAIL FROM:<news@sender.test>", "250");
    c.expect("RCPT TO:<alice@example.test>", "250");
    c.data(
        format!("{}.\r\n", message("grey-1@test", "grey")).as_bytes(),
        "250",
    );
    c.expect("QUIT", "221");
    wait_until(
        Duration::from_secs(120),
        "the retry to be delivered",
        || !server.message_ids("alice@example.test").is_empty(),
    );
    // The first try was refused for now, in the server's log and Postfix's.
    assert!(server.log().contains("greylisted"), "{}", server.log());
    let maillog = postfix.maillog();
    assert!(maillog.contains("451 4.7.1"), "{maillog}");
    wait_until(
        Duration::from_secs(60),
        "Postfix to record the delivery",
        || postfix.maillog().contains("status=sent"),
    );
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<grey-1@test>"]
    );
    assert_eq!(
        server.sql("SELECT network, sender, recipient, passed FROM greylist"),
        "127.0.0.0/24\tnews@sender.test\talice@example.test\t1"
    );
    assert_eq!(
        server.sql("SELECT network FROM greylist_clients"),
        "127.0.0.0/24"
    );
    // The network is known now: a new sender from it passes at once.
    let mut c = SmtpConn::connect(server.smtp);
    c.expect("EHLO client.test", "250");
    c.expect("MAIL FROM:<other@sender.test>", "250");
    c.expect("RCPT TO:<bob@example.test>", "250");
}

#[test]
fn an_unknown_triplet_is_refused_451_and_authenticated_users_are_not() {
    let server = Server::with(Options {
        extra_toml: "[filter]\ngreylisting = true\ncheck_local_clients = true\n\
                     blocklists = []\n"
            .into(),
        ..Options::default()
    });
    let mut c = SmtpConn::connect(server.smtp);
    c.expect("EHLO client.test", "250");
    c.expect("MAIL FROM:<new@outside.test>", "250");
    let r = c.expect("RCPT TO:<alice@example.test>", "451 4.7.1");
    assert!(r.contains("try again in 300 seconds"), "{r}");
    // Too soon: still refused, with the time left.
    c.expect("RCPT TO:<alice@example.test>", "451 4.7.1");
    assert!(server.message_ids("alice@example.test").is_empty());
    // AUTH on submission skips greylisting (sent with smtplib, STARTTLS and PLAIN).
    tests::peers::submit(
        &server,
        "alice@example.test",
        &["bob@example.test"],
        &message("grey-auth@test", "auth")
            .replace("Sender <sender@outside.test>", "alice@example.test"),
        &[],
        &[],
    );
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<grey-auth@test>"]
    );
}
