//! AUTHENTICATE PLAIN (RFC 9051 §6.2.2, RFC 4616) with SASL-IR (RFC 4959).

use imap::Kind;
use testbed::{ALICE, BOB, LOOPBACK, PASSWORD, REMOTE, base64, plain};

use crate::Imap;

#[tokio::test]
async fn authenticate_plain_with_an_initial_response_logs_in() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    let done = conn
        .cmd(&format!("AUTHENTICATE PLAIN {}", plain(ALICE, PASSWORD)))
        .await;
    assert!(done.status.ends_with("] logged in"), "{done:?}");
}

#[tokio::test]
async fn authenticate_plain_after_an_empty_challenge_logs_in() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    let tag = conn.send("AUTHENTICATE PLAIN").await;
    assert_eq!(conn.line().await, "+ ");
    conn.client.send(&plain(ALICE, PASSWORD)).await;
    let done = conn.done(&tag).await;
    assert!(done.status.ends_with("] logged in"), "{done:?}");
}

#[tokio::test]
async fn authenticate_with_a_wrong_password_is_no_authenticationfailed() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd(&format!("AUTHENTICATE PLAIN {}", plain(ALICE, "wrong")))
        .await
        .no_with("[AUTHENTICATIONFAILED] invalid user name or password");
}

#[tokio::test]
async fn authenticate_with_another_mechanism_is_no() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("AUTHENTICATE CRAM-MD5")
        .await
        .no_with("unsupported authentication mechanism");
}

#[tokio::test]
async fn authenticate_without_tls_from_a_remote_address_is_no_privacyrequired() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, REMOTE).await;
    conn.cmd(&format!("AUTHENTICATE PLAIN {}", plain(ALICE, PASSWORD)))
        .await
        .no_with("[PRIVACYREQUIRED] use STARTTLS before logging in");
}

#[tokio::test]
async fn authenticate_cancelled_with_a_star_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    let tag = conn.send("AUTHENTICATE PLAIN").await;
    assert_eq!(conn.line().await, "+ ");
    conn.client.send("*").await;
    conn.done(&tag).await.bad_with("authentication cancelled");
}

#[tokio::test]
async fn authenticate_as_another_user_or_malformed_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    let as_bob = base64(format!("{BOB}\0{ALICE}\0{PASSWORD}").as_bytes());
    conn.cmd(&format!("AUTHENTICATE PLAIN {as_bob}"))
        .await
        .bad_with("malformed PLAIN response");
    conn.cmd("AUTHENTICATE PLAIN !!!")
        .await
        .bad_with("malformed PLAIN response");
}

#[tokio::test]
async fn authenticate_after_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd(&format!("AUTHENTICATE PLAIN {}", plain(ALICE, PASSWORD)))
        .await
        .bad_with("AUTHENTICATE already logged in");
}
