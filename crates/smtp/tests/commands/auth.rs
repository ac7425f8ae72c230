//! AUTH PLAIN and LOGIN (RFC 4954, RFC 4616).

use smtp::Kind;
use testbed::{ALICE, LOOPBACK, PASSWORD, base64, plain};

use crate::{Setup, Smtp};

#[tokio::test]
async fn auth_plain_with_an_initial_response_succeeds_235() {
    let (_smtp, mut conn) = Smtp::submissions_session().await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        235,
        "2.7.0",
    )
    .await;
    // Authenticated: submission may start.
    conn.expect(&format!("MAIL FROM:<{ALICE}>"), 250, "2.1.0")
        .await;
}

#[tokio::test]
async fn auth_plain_after_an_empty_challenge_succeeds_235() {
    let (_smtp, mut conn) = Smtp::submissions_session().await;
    let challenge = conn.cmd("AUTH PLAIN").await;
    assert_eq!((challenge.code, challenge.text()), (334, ""));
    conn.expect(&plain(ALICE, PASSWORD), 235, "2.7.0").await;
}

#[tokio::test]
async fn auth_login_prompts_for_user_and_password_235() {
    let (_smtp, mut conn) = Smtp::submissions_session().await;
    let user = conn.cmd("AUTH LOGIN").await;
    assert_eq!((user.code, user.text()), (334, "VXNlcm5hbWU6"));
    let pass = conn.cmd(&base64(ALICE.as_bytes())).await;
    assert_eq!((pass.code, pass.text()), (334, "UGFzc3dvcmQ6"));
    conn.expect(&base64(PASSWORD.as_bytes()), 235, "2.7.0")
        .await;
}

#[tokio::test]
async fn auth_with_a_wrong_password_is_refused_535() {
    let (_smtp, mut conn) = Smtp::submissions_session().await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, "wrong")),
        535,
        "5.7.8",
    )
    .await;
    conn.expect(&format!("MAIL FROM:<{ALICE}>"), 530, "5.7.0")
        .await;
}

#[tokio::test]
async fn auth_without_tls_on_port_587_is_refused_538() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    conn.expect(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        538,
        "5.7.11",
    )
    .await;
}

#[tokio::test]
async fn auth_before_ehlo_is_refused_503() {
    let (_smtp, mut conn) = Smtp::submissions_greeted().await;
    conn.expect_says(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        503,
        "5.5.1",
        "EHLO first",
    )
    .await;
}

#[tokio::test]
async fn auth_cancelled_with_a_star_is_501() {
    let (_smtp, mut conn) = Smtp::submissions_session().await;
    assert_eq!(conn.cmd("AUTH LOGIN").await.code, 334);
    conn.expect_says("*", 501, "5.7.0", "cancelled").await;
}

#[tokio::test]
async fn a_second_auth_is_refused_503() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.submission(ALICE).await;
    conn.expect_says(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        503,
        "5.5.1",
        "Already authenticated",
    )
    .await;
}

#[tokio::test]
async fn auth_during_a_transaction_is_refused_503() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    conn.expect("STARTTLS", 220, "2.0.0").await;
    conn.client.start_tls().await;
    conn.ok("EHLO client.example.net").await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.expect_says(
        &format!("AUTH PLAIN {}", plain(ALICE, PASSWORD)),
        503,
        "5.5.1",
        "during a mail transaction",
    )
    .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::SubmissionsSession,
        "auth with an unknown mechanism is refused 504",
        "AUTH CRAM-MD5",
        504,
        "5.5.4",
        "",
    ),
    (
        Setup::SubmissionsSession,
        "auth with undecodable base64 is refused 501",
        "AUTH PLAIN !!!notbase64",
        501,
        "5.5.2",
        "",
    ),
}
