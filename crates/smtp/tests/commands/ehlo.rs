//! EHLO (RFC 5321 §4.1.1.1) and the extensions it lists.

use smtp::Kind;
use testbed::LOOPBACK;

use crate::{Setup, Smtp};

#[tokio::test]
async fn ehlo_on_port_25_lists_extensions_with_etrn_and_starttls_but_not_auth() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    let reply = conn.ok("EHLO client.example.net").await;
    assert_eq!(
        reply.lines,
        [
            "mail.example.com Hello client.example.net [127.0.0.1]",
            "PIPELINING",
            "SIZE 52428800",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
            "DSN",
            "ETRN",
            "STARTTLS",
        ]
    );
}

#[tokio::test]
async fn ehlo_on_port_465_offers_auth_and_no_etrn() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Submissions, LOOPBACK).await;
    let reply = conn.ok("EHLO client.example.net").await;
    assert!(
        reply.lines.contains(&"AUTH PLAIN LOGIN".to_string()),
        "{reply:?}"
    );
    assert!(!reply.lines.contains(&"ETRN".to_string()), "{reply:?}");
}

#[tokio::test]
async fn ehlo_resets_the_transaction_in_progress() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.ok("MAIL FROM:<a@example.net>").await;
    conn.ok("EHLO again.example.net").await;
    // §4.1.4: the MAIL before the second EHLO is forgotten.
    conn.expect_says("RCPT TO:<alice@example.com>", 503, "5.5.1", "Need MAIL")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Greeted,
        "ehlo without a domain is refused 501",
        "EHLO",
        501,
        "5.5.4",
        "",
    ),
}
