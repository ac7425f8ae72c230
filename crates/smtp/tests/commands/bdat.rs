//! BDAT beyond its transcript (`bdat.txt`): the stored message, a chunk of 2000 octets.

use testbed::Bench;

use crate::Smtp;

const MESSAGE: &str = "Subject: chunks\r\n\r\nbody\r\n";

/// The envelope every case here starts with.
const ENVELOPE: &str = "@ mx
C: MAIL FROM:<sender@example.net>
S: 250 2.1.0 Sender OK
C: RCPT TO:<alice@example.com>
S: 250 2.1.5 Recipient OK";

/// Runs the envelope then `chunks` (steps) on a new testbed with `toml`; returns Alice's
/// INBOX after.
async fn inbox_after(name: &str, toml: &str, chunks: &str) -> Vec<String> {
    let smtp = Bench::<Smtp>::new(toml).await;
    smtp.steps(name, &format!("{ENVELOPE}\n{chunks}")).await;
    smtp.bed.inbox(smtp.bed.alice).await
}

#[tokio::test]
async fn bdat_last_stores_the_message_250() {
    let chunk = "C: BDAT 25 LAST
C: Subject: chunks
C:
C: body
S: 250 2.0.0 Message accepted for delivery as <*>";
    let inbox = inbox_after("bdat last", "", chunk).await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].ends_with(MESSAGE), "{}", inbox[0]);
}

#[tokio::test]
async fn bdat_in_two_chunks_acknowledges_each_and_stores_both() {
    let chunks = "C: BDAT 10
C~ Subject: c
S: 250 2.0.0 10 octets received
C: BDAT 15 LAST
C: hunks
C:
C: body
S: 250 2.0.0 Message accepted for delivery as <*>";
    let inbox = inbox_after("bdat in two chunks", "", chunks).await;
    assert!(inbox[0].ends_with(MESSAGE), "{}", inbox[0]);
}

#[tokio::test]
async fn bdat_past_the_size_limit_is_refused_552_at_last() {
    let limit = "[limits]\nmax_message_size = 1024\n";
    let chunk = format!(
        "C: BDAT 2000 LAST\nC~ {}\nS: 552 5.3.4 Message size exceeds fixed maximum message size",
        "x".repeat(2000)
    );
    let inbox = inbox_after("bdat past the size limit", limit, &chunk).await;
    assert!(inbox.is_empty());
}
