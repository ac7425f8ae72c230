//! BDAT (RFC 3030 CHUNKING).

use testbed::ALICE;

use crate::Smtp;

const MESSAGE: &str = "Subject: chunks\r\n\r\nbody\r\n";

#[tokio::test]
async fn bdat_last_stores_the_message_250() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.client
        .send_raw(format!("BDAT {} LAST\r\n{MESSAGE}", MESSAGE.len()).as_bytes())
        .await;
    conn.reply()
        .await
        .assert(250, "2.0.0")
        .says("Message accepted");
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].ends_with(MESSAGE), "{}", inbox[0]);
}

#[tokio::test]
async fn bdat_in_two_chunks_acknowledges_each_and_stores_both() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    let (first, second) = MESSAGE.split_at(10);
    conn.client
        .send_raw(format!("BDAT 10\r\n{first}").as_bytes())
        .await;
    conn.reply()
        .await
        .assert(250, "2.0.0")
        .says("10 octets received");
    conn.client
        .send_raw(format!("BDAT {} LAST\r\n{second}", second.len()).as_bytes())
        .await;
    conn.reply().await.assert(250, "2.0.0");
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert!(inbox[0].ends_with(MESSAGE), "{}", inbox[0]);
}

#[tokio::test]
async fn bdat_without_mail_reads_the_chunk_and_is_refused_503() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    // RFC 3030 §2: the chunk is read whatever the answer, so its bytes are not commands.
    conn.client.send_raw(b"BDAT 6 LAST\r\nQUIT\r\n").await;
    conn.reply().await.assert(503, "5.5.1").says("Need MAIL");
    conn.expect("NOOP", 250, "2.0.0").await;
}

#[tokio::test]
async fn rcpt_and_data_after_a_bdat_chunk_are_refused_503() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.client.send_raw(b"BDAT 5\r\nhello").await;
    conn.reply().await.assert(250, "2.0.0");
    conn.expect_says("RCPT TO:<bob@example.com>", 503, "5.5.1", "after BDAT")
        .await;
    conn.expect_says("DATA", 503, "5.5.1", "after BDAT").await;
}

#[tokio::test]
async fn bdat_with_a_bad_size_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.expect("BDAT -5 LAST", 501, "5.5.4").await;
}

#[tokio::test]
async fn bdat_past_the_size_limit_is_refused_552_at_last() {
    let smtp = Smtp::with_config("[limits]\nmax_message_size = 1024\n").await;
    let mut conn = smtp.mx().await;
    conn.envelope("sender@example.net", ALICE).await;
    let chunk = "x".repeat(2000);
    conn.client
        .send_raw(format!("BDAT 2000 LAST\r\n{chunk}").as_bytes())
        .await;
    conn.reply().await.assert(552, "5.3.4");
    assert!(smtp.bed.inbox(smtp.bed.alice).await.is_empty());
}
