//! DATA (RFC 5321 §4.1.1.4): the message is stored before the 250.

use testbed::{ALICE, message};

use crate::{Setup, Smtp};

#[tokio::test]
async fn data_stores_the_message_with_a_received_header_before_250() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.cmd("DATA").await;
    let body = message("sender@example.net", "hello", "Line one\r\n..dot-stuffed");
    conn.client.send_raw(body.as_bytes()).await;
    conn.expect_says(".", 250, "2.0.0", "Message accepted for delivery as")
        .await;
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(
        inbox[0].starts_with("Received: from client.example.net"),
        "{}",
        inbox[0]
    );
    assert!(inbox[0].contains("Subject: hello\r\n"));
    // Dot-stuffing undone (RFC 5321 §4.5.2).
    assert!(
        inbox[0].ends_with("Line one\r\n.dot-stuffed\r\n"),
        "{}",
        inbox[0]
    );
}

#[tokio::test]
async fn data_answers_354_before_the_message() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    let reply = conn.cmd("DATA").await;
    assert_eq!(reply.code, 354, "{reply:?}");
    assert_eq!(reply.text(), "End data with <CR><LF>.<CR><LF>");
}

#[tokio::test]
async fn data_with_bare_line_feeds_is_stored_with_crlf_and_never_split() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.cmd("DATA").await;
    // Postfix's `smtpd_forbid_bare_newline = normalize`: LF "." LF is text, not the end.
    conn.client
        .send_raw(b"Subject: smuggle\n\nfirst\n.\nMAIL FROM:<x@example.net>\r\n")
        .await;
    conn.expect_says(".", 250, "2.0.0", "Message accepted")
        .await;
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 1);
    assert!(
        inbox[0].ends_with("Subject: smuggle\r\n\r\nfirst\r\n\r\nMAIL FROM:<x@example.net>\r\n"),
        "{:?}",
        inbox[0]
    );
}

#[tokio::test]
async fn data_with_a_bare_carriage_return_is_refused_whole_550() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.cmd("DATA").await;
    conn.client
        .send_raw(b"Subject: smuggle\r\n\r\nfirst\r.\rMAIL FROM:<x@example.net>\r\n")
        .await;
    conn.expect_says(".", 550, "5.6.0", "bare CR").await;
    assert!(smtp.bed.inbox(smtp.bed.alice).await.is_empty());
}

#[tokio::test]
async fn data_larger_than_the_limit_is_refused_552_and_not_stored() {
    let smtp = Smtp::with_config("[limits]\nmax_message_size = 1024\n").await;
    let mut conn = smtp.mx().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.cmd("DATA").await;
    let line = "x".repeat(100);
    for _ in 0..20 {
        conn.client.send(&line).await;
    }
    conn.expect(".", 552, "5.3.4").await;
    assert!(smtp.bed.inbox(smtp.bed.alice).await.is_empty());
    // The session goes on: the next transaction works.
    conn.envelope("sender@example.net", ALICE).await;
}

#[tokio::test]
async fn data_with_an_argument_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.expect("DATA now", 501, "5.5.4").await;
}

#[tokio::test]
async fn a_pipelined_transaction_gets_each_reply_in_order() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    // RFC 2920 §3.1: the client may send MAIL, RCPT... and DATA in one go.
    conn.client
        .send_raw(
            format!(
                "MAIL FROM:<a@example.net>\r\nRCPT TO:<{ALICE}>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n"
            )
            .as_bytes(),
        )
        .await;
    conn.reply().await.assert(250, "2.1.0");
    conn.reply().await.assert(250, "2.1.5");
    conn.reply().await.assert(550, "5.1.1");
    assert_eq!(conn.reply().await.code, 354);
    conn.client
        .send_raw(b"Subject: piped\r\n\r\nbody\r\n.\r\n")
        .await;
    conn.reply().await.assert(250, "2.0.0");
    assert_eq!(smtp.bed.inbox(smtp.bed.alice).await.len(), 1);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "data without mail is refused 503",
        "DATA",
        503,
        "5.5.1",
        "Need MAIL",
    ),
    (
        Setup::MxSession,
        "data without an accepted recipient is refused 554",
        "MAIL FROM:<sender@example.net>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "data without an accepted recipient is refused 554",
        "RCPT TO:<nobody@example.com>",
        550,
        "5.1.1",
        "",
    ),
    (
        Setup::MxSession,
        "data without an accepted recipient is refused 554",
        "DATA",
        554,
        "5.5.1",
        "No valid recipients",
    ),
}
