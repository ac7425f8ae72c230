//! NOOP (RFC 5321 §4.1.1.9).

use smtp::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Smtp;

#[tokio::test]
async fn noop_answers_250_in_any_state_and_keeps_the_transaction() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.cmd("NOOP").await.assert(250, "2.0.0");
    conn.ok("EHLO client.example.net").await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    // §4.1.1.9: an argument is allowed and ignored.
    conn.cmd("NOOP keep going").await.assert(250, "2.0.0");
    conn.cmd(&format!("RCPT TO:<{ALICE}>"))
        .await
        .assert(250, "2.1.5");
}

#[tokio::test]
async fn noop_with_a_nul_byte_is_refused_501() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.client.send_raw(b"NOOP a\0b\r\n").await;
    conn.reply()
        .await
        .assert(501, "5.5.2")
        .says("Invalid characters");
}

#[tokio::test]
async fn noop_longer_than_the_line_limit_is_refused_500() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    let long = format!("NOOP {}", "x".repeat(5000));
    conn.cmd(&long)
        .await
        .assert(500, "5.5.2")
        .says("Line too long");
    conn.cmd("NOOP").await.assert(250, "2.0.0");
}
