//! CAPABILITY (RFC 9051 §6.1.1): the list depends on TLS, the peer and the login.

use crate::Imap;

#[tokio::test]
async fn capability_from_loopback_offers_plain_logins_and_starttls() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn.cmd("CAPABILITY").await;
    done.ok_with("CAPABILITY completed");
    let caps = done.lines("CAPABILITY ");
    assert_eq!(caps.len(), 1, "{done:?}");
    for cap in [
        "IMAP4rev2",
        "STARTTLS",
        "AUTH=PLAIN",
        "SASL-IR",
        "IDLE",
        "MOVE",
        "QUOTA",
    ] {
        assert!(caps[0].split(' ').any(|c| c == cap), "{cap} in {caps:?}");
    }
    assert!(!caps[0].contains("LOGINDISABLED"));
}

#[tokio::test]
async fn capability_from_a_remote_address_without_tls_says_logindisabled() {
    let (_imap, mut conn) = Imap::remote().await;
    let done = conn.cmd("CAPABILITY").await;
    let caps = done.lines("CAPABILITY ")[0];
    assert!(caps.contains(" LOGINDISABLED"), "{caps}");
    assert!(!caps.contains("AUTH=PLAIN"), "{caps}");
}

#[tokio::test]
async fn capability_after_login_lists_no_login_mechanisms() {
    let (_imap, mut conn) = Imap::alice().await;
    let done = conn.cmd("CAPABILITY").await;
    let caps = done.lines("CAPABILITY ")[0];
    assert!(
        !caps.contains("AUTH=") && !caps.contains("STARTTLS"),
        "{caps}"
    );
}

#[tokio::test]
async fn capability_with_an_argument_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn.cmd("CAPABILITY now").await;
    assert!(done.status.starts_with("BAD "), "{done:?}");
    assert!(done.untagged.is_empty(), "{done:?}");
}
