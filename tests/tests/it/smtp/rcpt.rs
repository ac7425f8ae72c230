//! RCPT TO (RFC 5321 §4.1.1.3) on port 25: local users (case-insensitive), aliases, lists,
//! catch-all and forwards resolved; unknown users (550) and relaying (554) refused, the good
//! recipients of the same message still served.

use super::send;
use tests::{Server, message};

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

/// RFC 2142 §4 (and RFC 5321 §4.5.1 for postmaster): abuse@ and postmaster@ every local domain
/// are accepted with no account or alias for them and reach the first account (alice); an
/// alias the office adds takes over.
#[test]
fn abuse_and_postmaster_reach_the_first_account_unless_an_alias_says_otherwise() {
    let server = Server::start();
    for (n, rcpt) in ["abuse@example.test", "Postmaster@example.test"]
        .into_iter()
        .enumerate()
    {
        let msg = message(&format!("role-{n}@test"), "report");
        assert_eq!(send(&server, rcpt, &msg), "OK", "{rcpt}");
    }
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<role-0@test>", "<role-1@test>"]
    );
    server.ok(&["alias", "add", "abuse@example.test", "bob@example.test"]);
    let msg = message("role-2@test", "report");
    assert_eq!(send(&server, "abuse@example.test", &msg), "OK");
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<role-2@test>"]
    );
    assert_eq!(server.message_ids("alice@example.test").len(), 2);
}
