//! AUTHENTICATE PLAIN (RFC 9051 §6.2.2, RFC 4616) with SASL-IR (RFC 4959).

use testbed::{ALICE, BOB, PASSWORD, base64, plain};

use crate::{Imap, Setup};

#[tokio::test]
async fn authenticate_plain_with_an_initial_response_logs_in() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn
        .cmd(&format!("AUTHENTICATE PLAIN {}", plain(ALICE, PASSWORD)))
        .await;
    assert!(done.status.ends_with("] logged in"), "{done:?}");
}

#[tokio::test]
async fn authenticate_plain_after_an_empty_challenge_logs_in() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let tag = conn.send("AUTHENTICATE PLAIN").await;
    assert_eq!(conn.line().await, "+ ");
    conn.client.send(&plain(ALICE, PASSWORD)).await;
    let done = conn.done(&tag).await;
    assert!(done.status.ends_with("] logged in"), "{done:?}");
}

#[tokio::test]
async fn authenticate_with_a_wrong_password_is_no_authenticationfailed() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.no(
        &format!("AUTHENTICATE PLAIN {}", plain(ALICE, "wrong")),
        "[AUTHENTICATIONFAILED] invalid user name or password",
    )
    .await;
}

#[tokio::test]
async fn authenticate_without_tls_from_a_remote_address_is_no_privacyrequired() {
    let (_imap, mut conn) = Imap::remote().await;
    conn.no(
        &format!("AUTHENTICATE PLAIN {}", plain(ALICE, PASSWORD)),
        "[PRIVACYREQUIRED] use STARTTLS before logging in",
    )
    .await;
}

#[tokio::test]
async fn authenticate_cancelled_with_a_star_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let tag = conn.send("AUTHENTICATE PLAIN").await;
    assert_eq!(conn.line().await, "+ ");
    conn.client.send("*").await;
    conn.done(&tag).await.bad_with("authentication cancelled");
}

#[tokio::test]
async fn authenticate_as_another_user_or_malformed_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let as_bob = base64(format!("{BOB}\0{ALICE}\0{PASSWORD}").as_bytes());
    conn.bad(
        &format!("AUTHENTICATE PLAIN {as_bob}"),
        "malformed PLAIN response",
    )
    .await;
    conn.bad("AUTHENTICATE PLAIN !!!", "malformed PLAIN response")
        .await;
}

#[tokio::test]
async fn authenticate_after_login_is_bad() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.bad(
        &format!("AUTHENTICATE PLAIN {}", plain(ALICE, PASSWORD)),
        "AUTHENTICATE already logged in",
    )
    .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "authenticate with another mechanism is no",
        "AUTHENTICATE CRAM-MD5",
        "NO unsupported authentication mechanism",
    ),
}
