//! BDAT beyond its transcript (`bdat.txt`): the stored message, a chunk of 2000 octets.

use testbed::Protocol;
use testbed::transcript::steps;

use crate::Smtp;

const MESSAGE: &str = "Subject: chunks\r\n\r\nbody\r\n";

/// The envelope every case here starts with.
const ENVELOPE: &str = "@ mx
C: MAIL FROM:<sender@example.net>
S: 250 2.1.0 Sender OK
C: RCPT TO:<alice@example.com>
S: 250 2.1.5 Recipient OK";

#[tokio::test]
async fn bdat_last_stores_the_message_250() {
    let smtp = Smtp::with_config("").await;
    let bdat = "C: BDAT 25 LAST\nC: Subject: chunks\nC:\nC: body";
    let accepted = "S: 250 2.0.0 Message accepted for delivery as <*>";
    steps(
        &smtp,
        "bdat last",
        &format!("{ENVELOPE}\n{bdat}\n{accepted}"),
    )
    .await;
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].ends_with(MESSAGE), "{}", inbox[0]);
}

#[tokio::test]
async fn bdat_in_two_chunks_acknowledges_each_and_stores_both() {
    let smtp = Smtp::with_config("").await;
    let chunks = "C: BDAT 10
C~ Subject: c
S: 250 2.0.0 10 octets received
C: BDAT 15 LAST
C: hunks
C:
C: body
S: 250 2.0.0 Message accepted for delivery as <*>";
    steps(
        &smtp,
        "bdat in two chunks",
        &format!("{ENVELOPE}\n{chunks}"),
    )
    .await;
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert!(inbox[0].ends_with(MESSAGE), "{}", inbox[0]);
}

#[tokio::test]
async fn bdat_past_the_size_limit_is_refused_552_at_last() {
    let smtp = Smtp::with_config("[limits]\nmax_message_size = 1024\n").await;
    let chunk = "x".repeat(2000);
    let bdat = format!(
        "C: BDAT 2000 LAST\nC~ {chunk}\nS: 552 5.3.4 Message size exceeds fixed maximum message size"
    );
    steps(
        &smtp,
        "bdat past the size limit",
        &format!("{ENVELOPE}\n{bdat}"),
    )
    .await;
    assert!(smtp.bed.inbox(smtp.bed.alice).await.is_empty());
}
