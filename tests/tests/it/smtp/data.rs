//! DATA (RFC 5321 §4.1.1.4): the stored message with its Received header (§4.4), one stored
//! copy for several recipients, and the size limit (552, nothing stored).

use super::send;
use tests::{Server, message};

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
    let mbox = server.mbox_with("alice@example.test", &["Message-ID: <local-1@test>"]);
    // RFC 5321 §4.4: our Received header is on top, naming us and the recipient.
    let first_header = mbox.lines().nth(1).unwrap_or_default();
    assert!(first_header.starts_with("Received: from "), "{mbox}");
    assert!(mbox.contains("by mx.example.test (Postroom)"), "{mbox}");
    assert!(mbox.contains("for <alice@example.test>"), "{mbox}");
    assert!(server.message_ids("bob@example.test").is_empty());
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
fn oversized_message_is_refused_552_and_not_stored() {
    let server = Server::with_limits(&["max_message_size = 4096"]);
    let big = format!("{}{}\r\n", message("big-1@test", "big"), "x".repeat(8000));
    let r = send(&server, "alice@example.test", &big);
    assert!(r.starts_with("ERROR 552"), "{r}");
    assert!(r.contains("5.3.4"), "{r}");
    assert!(server.message_ids("alice@example.test").is_empty());
}
