//! STARTTLS (RFC 3207).

use smtp::Kind;
use testbed::{ALICE, LOOPBACK, PASSWORD, plain};

use crate::Smtp;

#[tokio::test]
async fn starttls_upgrades_the_session_and_then_auth_is_offered() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    conn.expect_says("STARTTLS", 220, "2.0.0", "Ready to start TLS")
        .await;
    conn.client.start_tls().await;
    // §4.2: the greeting before TLS is forgotten.
    conn.expect(&format!("MAIL FROM:<{ALICE}>"), 503, "5.5.1")
        .await;
    let ehlo = conn.ok("EHLO client.example.net").await;
    assert!(
        ehlo.lines.contains(&"AUTH PLAIN LOGIN".to_string()),
        "{ehlo:?}"
    );
    assert!(!ehlo.lines.contains(&"STARTTLS".to_string()), "{ehlo:?}");
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        235,
        "2.7.0",
    )
    .await;
}

#[tokio::test]
async fn commands_pipelined_behind_starttls_are_discarded() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    // CVE-2011-0411: plain-text input after STARTTLS must not run inside TLS.
    conn.client
        .send_raw(b"STARTTLS\r\nMAIL FROM:<injected@example.net>\r\n")
        .await;
    conn.reply().await.assert(220, "2.0.0");
    conn.client.start_tls().await;
    conn.ok("EHLO client.example.net").await;
    conn.expect("MAIL FROM:<sender@example.net>", 250, "2.1.0")
        .await;
}

#[tokio::test]
async fn starttls_inside_tls_is_refused_503() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect("STARTTLS", 220, "2.0.0").await;
    conn.client.start_tls().await;
    conn.expect_says("STARTTLS", 503, "5.5.1", "TLS already active")
        .await;
}

#[tokio::test]
async fn starttls_with_an_argument_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect("STARTTLS please", 501, "5.5.4").await;
    assert!(!conn.client.is_tls());
}
