//! AUTH PLAIN and LOGIN (RFC 5034).

use pop3::Kind;
use testbed::{ALICE, BOB, LOOPBACK, PASSWORD, REMOTE, base64, plain};

use crate::Pop3;

#[tokio::test]
async fn auth_alone_lists_the_mechanisms() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    let (status, lines) = conn.multi("AUTH").await;
    assert_eq!(status, "+OK methods supported");
    assert_eq!(lines, ["PLAIN", "LOGIN"]);
}

#[tokio::test]
async fn auth_plain_with_an_initial_response_logs_in() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(
        conn.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)))
            .await,
        "+OK maildrop has 0 messages (0 octets)"
    );
}

#[tokio::test]
async fn auth_plain_after_an_empty_challenge_logs_in() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("AUTH PLAIN").await, "+ ");
    assert!(
        conn.cmd(&plain(ALICE, PASSWORD))
            .await
            .starts_with("+OK maildrop has")
    );
}

#[tokio::test]
async fn auth_login_prompts_for_user_and_password() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("AUTH LOGIN").await, "+ VXNlcm5hbWU6");
    assert_eq!(conn.cmd(&base64(ALICE.as_bytes())).await, "+ UGFzc3dvcmQ6");
    assert!(
        conn.cmd(&base64(PASSWORD.as_bytes()))
            .await
            .starts_with("+OK maildrop has")
    );
}

#[tokio::test]
async fn auth_with_a_wrong_password_is_refused_auth() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(
        conn.cmd(&format!("AUTH PLAIN {}", plain(ALICE, "wrong")))
            .await,
        "-ERR [AUTH] invalid user name or password"
    );
}

#[tokio::test]
async fn auth_without_tls_from_a_remote_address_is_refused_auth() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, REMOTE).await;
    assert_eq!(
        conn.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)))
            .await,
        "-ERR [AUTH] authentication is not allowed without TLS; use STLS first"
    );
}

#[tokio::test]
async fn auth_with_an_unknown_mechanism_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(
        conn.cmd("AUTH CRAM-MD5").await,
        "-ERR unsupported mechanism; use PLAIN or LOGIN"
    );
}

#[tokio::test]
async fn auth_cancelled_with_a_star_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.cmd("AUTH LOGIN").await;
    assert_eq!(conn.cmd("*").await, "-ERR authentication cancelled");
}

#[tokio::test]
async fn auth_as_another_user_is_refused_auth() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    let as_bob = base64(format!("{BOB}\0{ALICE}\0{PASSWORD}").as_bytes());
    assert_eq!(
        conn.cmd(&format!("AUTH PLAIN {as_bob}")).await,
        "-ERR [AUTH] logging in as another user is not supported"
    );
}

#[tokio::test]
async fn auth_after_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(
        conn.cmd(&format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)))
            .await,
        "-ERR not allowed after login"
    );
}
