//! STARTTLS (RFC 3207).

use smtp::Kind;
use testbed::{ALICE, LOOPBACK, PASSWORD, plain};

use crate::Smtp;

#[tokio::test]
async fn starttls_upgrades_the_session_and_then_auth_is_offered() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    conn.cmd("STARTTLS")
        .await
        .assert(220, "2.0.0")
        .says("Ready to start TLS");
    conn.client.start_tls().await;
    // §4.2: the greeting before TLS is forgotten.
    conn.cmd(&format!("MAIL FROM:<{ALICE}>"))
        .await
        .assert(503, "5.5.1");
    let ehlo = conn.ok("EHLO client.example.net").await;
    assert!(
        ehlo.lines.contains(&"AUTH PLAIN LOGIN".to_string()),
        "{ehlo:?}"
    );
    assert!(!ehlo.lines.contains(&"STARTTLS".to_string()), "{ehlo:?}");
    conn.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)))
        .await
        .assert(235, "2.7.0");
}

#[tokio::test]
async fn commands_pipelined_behind_starttls_are_discarded() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    // CVE-2011-0411: plain-text input after STARTTLS must not run inside TLS.
    conn.client
        .send_raw(b"STARTTLS\r\nMAIL FROM:<injected@example.net>\r\n")
        .await;
    conn.reply().await.assert(220, "2.0.0");
    conn.client.start_tls().await;
    conn.ok("EHLO client.example.net").await;
    conn.cmd("MAIL FROM:<sender@example.net>")
        .await
        .assert(250, "2.1.0");
}

#[tokio::test]
async fn starttls_inside_tls_is_refused_503() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("STARTTLS").await.assert(220, "2.0.0");
    conn.client.start_tls().await;
    conn.cmd("STARTTLS")
        .await
        .assert(503, "5.5.1")
        .says("TLS already active");
}

#[tokio::test]
async fn starttls_with_an_argument_is_refused_501() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("STARTTLS please").await.assert(501, "5.5.4");
    assert!(!conn.client.is_tls());
}
