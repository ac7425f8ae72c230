//! HELO (RFC 5321 §4.1.1.1).

use crate::Smtp;

#[tokio::test]
async fn helo_greets_the_client_on_one_line_without_extensions() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    let reply = conn.ok("HELO client.example.net").await;
    assert_eq!(
        reply.lines,
        ["mail.example.com Hello client.example.net [127.0.0.1]"]
    );
}

#[tokio::test]
async fn helo_without_a_domain_is_refused_501() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    conn.expect_says("HELO", 501, "5.5.4", "missing domain")
        .await;
    // Still no greeting: a transaction cannot start.
    conn.expect("MAIL FROM:<a@example.net>", 503, "5.5.1").await;
}

#[tokio::test]
async fn mail_parameters_after_helo_are_refused_555() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    conn.ok("HELO client.example.net").await;
    // RFC 5321 §4.1.1.2: parameters are for sessions that said EHLO.
    conn.expect_says(
        "MAIL FROM:<a@example.net> SIZE=100",
        555,
        "5.5.4",
        "need EHLO",
    )
    .await;
}
