//! CAPA (RFC 2449 §5): the list depends on the state and on whether passwords may be sent.

use crate::{Pop3, Setup};

#[tokio::test]
async fn capa_before_login_from_loopback_lists_logins_and_stls() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    let (status, lines) = conn.multi("CAPA").await;
    assert_eq!(status, "+OK Capability list follows");
    assert_eq!(
        lines,
        [
            "TOP",
            "UIDL",
            "RESP-CODES",
            "AUTH-RESP-CODE",
            "PIPELINING",
            "USER",
            "SASL PLAIN LOGIN",
            "STLS",
            "UTF8 USER",
            "IMPLEMENTATION Postroom",
        ]
    );
}

#[tokio::test]
async fn capa_from_a_remote_address_without_tls_offers_no_login() {
    let (_pop3, mut conn) = Pop3::remote().await;
    let (_, lines) = conn.multi("CAPA").await;
    assert!(lines.contains(&"STLS".to_string()), "{lines:?}");
    assert!(
        !lines.iter().any(|l| l == "USER" || l.starts_with("SASL")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn capa_after_login_lists_no_login_commands() {
    let (_pop3, mut conn) = Pop3::alice().await;
    let (_, lines) = conn.multi("CAPA").await;
    assert_eq!(
        lines,
        [
            "TOP",
            "UIDL",
            "RESP-CODES",
            "AUTH-RESP-CODE",
            "PIPELINING",
            "IMPLEMENTATION Postroom"
        ]
    );
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "capa with an argument is a syntax error",
        "CAPA all",
        "-ERR syntax error: this command takes no arguments",
    ),
}
