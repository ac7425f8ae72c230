//! NOOP (RFC 5321 §4.1.1.9).

use testbed::ALICE;

use crate::Smtp;

#[tokio::test]
async fn noop_answers_250_in_any_state_and_keeps_the_transaction() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    conn.expect("NOOP", 250, "2.0.0").await;
    conn.ok("EHLO client.example.net").await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    // §4.1.1.9: an argument is allowed and ignored.
    conn.expect("NOOP keep going", 250, "2.0.0").await;
    conn.expect(&format!("RCPT TO:<{ALICE}>"), 250, "2.1.5")
        .await;
}

#[tokio::test]
async fn noop_with_a_nul_byte_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.client.send_raw(b"NOOP a\0b\r\n").await;
    conn.reply()
        .await
        .assert(501, "5.5.2")
        .says("Invalid characters");
}

#[tokio::test]
async fn noop_longer_than_the_line_limit_is_refused_500() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    let long = format!("NOOP {}", "x".repeat(5000));
    conn.expect_says(&long, 500, "5.5.2", "Line too long").await;
    conn.expect("NOOP", 250, "2.0.0").await;
}
