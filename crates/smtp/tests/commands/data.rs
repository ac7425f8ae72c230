//! DATA beyond its transcript (`data.txt`): the stored message's text, 2000 octets of body.

use testbed::Bench;

use crate::Smtp;

/// MAIL, RCPT to Alice and DATA, all accepted.
const TRANSACTION: &str = "@ mx
C: MAIL FROM:<sender@example.net>
S: 250 2.1.0 Sender OK
C: RCPT TO:<alice@example.com>
S: 250 2.1.5 Recipient OK
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>";

#[tokio::test]
async fn data_stores_the_message_with_a_received_header_before_250() {
    let smtp = Bench::<Smtp>::new("").await;
    let message = "C: From: sender@example.net
C: To: alice@example.com
C: Subject: hello
C: Date: Mon, 7 Dec 2026 10:00:00 +0000
C: Message-ID: <hello@example.net>
C:
C: Line one
C: ..dot-stuffed
C: .
S: 250 2.0.0 Message accepted for delivery as <*>";
    smtp.steps("data stores", &format!("{TRANSACTION}\n{message}"))
        .await;
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    let stored = &inbox[0];
    assert!(
        stored.starts_with("Received: from client.example.net"),
        "{stored}"
    );
    assert!(stored.contains("Subject: hello\r\n"), "{stored}");
    // Dot-stuffing undone (RFC 5321 §4.5.2).
    assert!(stored.ends_with("Line one\r\n.dot-stuffed\r\n"), "{stored}");
}

#[tokio::test]
async fn data_larger_than_the_limit_is_refused_552_and_not_stored() {
    let smtp = Bench::<Smtp>::new("[limits]\nmax_message_size = 1024\n").await;
    let body = format!("C: {}\n", "x".repeat(100)).repeat(20);
    let refused = "C: .
S: 552 5.3.4 Message size exceeds fixed maximum message size
# The session goes on: the next transaction works.
C: MAIL FROM:<sender@example.net>
S: 250 2.1.0 Sender OK
C: RCPT TO:<alice@example.com>
S: 250 2.1.5 Recipient OK
? ${INBOX.count} = 0";
    let text = format!("{TRANSACTION}\n{body}{refused}");
    smtp.steps("data larger than the limit", &text).await;
}
