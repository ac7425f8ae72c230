//! AUTH PLAIN and LOGIN (RFC 5034).

use testbed::{ALICE, BOB, PASSWORD, base64, plain};

use crate::{Pop3, Setup};

#[tokio::test]
async fn auth_alone_lists_the_mechanisms() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    let (status, lines) = conn.multi("AUTH").await;
    assert_eq!(status, "+OK methods supported");
    assert_eq!(lines, ["PLAIN", "LOGIN"]);
}

#[tokio::test]
async fn auth_plain_with_an_initial_response_logs_in() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        "+OK maildrop has 0 messages (0 octets)",
    )
    .await;
}

#[tokio::test]
async fn auth_plain_after_an_empty_challenge_logs_in() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect("AUTH PLAIN", "+ ").await;
    conn.expect_start(&plain(ALICE, PASSWORD), "+OK maildrop has")
        .await;
}

#[tokio::test]
async fn auth_login_prompts_for_user_and_password() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect("AUTH LOGIN", "+ VXNlcm5hbWU6").await;
    conn.expect(&base64(ALICE.as_bytes()), "+ UGFzc3dvcmQ6")
        .await;
    conn.expect_start(&base64(PASSWORD.as_bytes()), "+OK maildrop has")
        .await;
}

#[tokio::test]
async fn auth_with_a_wrong_password_is_refused_auth() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, "wrong")),
        "-ERR [AUTH] invalid user name or password",
    )
    .await;
}

#[tokio::test]
async fn auth_without_tls_from_a_remote_address_is_refused_auth() {
    let (_pop3, mut conn) = Pop3::remote().await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        "-ERR [AUTH] authentication is not allowed without TLS; use STLS first",
    )
    .await;
}

#[tokio::test]
async fn auth_cancelled_with_a_star_is_refused() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.cmd("AUTH LOGIN").await;
    conn.expect("*", "-ERR authentication cancelled").await;
}

#[tokio::test]
async fn auth_as_another_user_is_refused_auth() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    let as_bob = base64(format!("{BOB}\0{ALICE}\0{PASSWORD}").as_bytes());
    conn.expect(
        &format!("AUTH PLAIN {as_bob}"),
        "-ERR [AUTH] logging in as another user is not supported",
    )
    .await;
}

#[tokio::test]
async fn auth_after_login_is_refused() {
    let (_pop3, mut conn) = Pop3::alice().await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        "-ERR not allowed after login",
    )
    .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "auth with an unknown mechanism is refused",
        "AUTH CRAM-MD5",
        "-ERR unsupported mechanism; use PLAIN or LOGIN",
    ),
}
