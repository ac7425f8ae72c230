//! HELO (RFC 5321 §4.1.1.1).

use smtp::Kind;
use testbed::LOOPBACK;

use crate::Smtp;

#[tokio::test]
async fn helo_greets_the_client_on_one_line_without_extensions() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    let reply = conn.ok("HELO client.example.net").await;
    assert_eq!(
        reply.lines,
        ["mail.example.com Hello client.example.net [127.0.0.1]"]
    );
}

#[tokio::test]
async fn helo_without_a_domain_is_refused_501() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.cmd("HELO")
        .await
        .assert(501, "5.5.4")
        .says("missing domain");
    // Still no greeting: a transaction cannot start.
    conn.cmd("MAIL FROM:<a@example.net>")
        .await
        .assert(503, "5.5.1");
}

#[tokio::test]
async fn mail_parameters_after_helo_are_refused_555() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.ok("HELO client.example.net").await;
    // RFC 5321 §4.1.1.2: parameters are for sessions that said EHLO.
    conn.cmd("MAIL FROM:<a@example.net> SIZE=100")
        .await
        .assert(555, "5.5.4")
        .says("need EHLO");
}
