//! MAIL FROM (RFC 5321 §4.1.1.2) with SIZE, BODY, SMTPUTF8, and the submission rules.

use smtp::Kind;
use testbed::{ALICE, BOB, LOOPBACK};

use crate::Smtp;

#[tokio::test]
async fn mail_from_starts_a_transaction_250() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("MAIL FROM:<sender@example.net> SIZE=1000 BODY=8BITMIME")
        .await
        .assert(250, "2.1.0")
        .says("Sender OK");
}

#[tokio::test]
async fn mail_from_the_null_sender_is_accepted() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("MAIL FROM:<>").await.assert(250, "2.1.0");
}

#[tokio::test]
async fn mail_before_ehlo_is_refused_503() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.cmd("MAIL FROM:<sender@example.net>")
        .await
        .assert(503, "5.5.1")
        .says("HELO or EHLO first");
}

#[tokio::test]
async fn a_second_mail_in_one_transaction_is_refused_503() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.cmd("MAIL FROM:<other@example.net>")
        .await
        .assert(503, "5.5.1")
        .says("Nested MAIL");
}

#[tokio::test]
async fn mail_announcing_more_than_the_size_limit_is_refused_552() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("MAIL FROM:<sender@example.net> SIZE=52428801")
        .await
        .assert(552, "5.3.4");
}

#[tokio::test]
async fn mail_with_a_malformed_address_is_refused_501() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    let reply = conn.cmd("MAIL FROM:<no at sign>").await;
    assert_eq!(reply.code, 501, "{reply:?}");
}

#[tokio::test]
async fn mail_with_an_unknown_parameter_is_refused_555() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("MAIL FROM:<sender@example.net> FOO=bar")
        .await
        .assert(555, "5.5.4")
        .says("FOO");
}

#[tokio::test]
async fn a_non_ascii_sender_without_smtputf8_is_refused_553() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("MAIL FROM:<jörg@example.net>")
        .await
        .assert(553, "5.6.7");
    conn.cmd("MAIL FROM:<jörg@example.net> SMTPUTF8")
        .await
        .assert(250, "2.1.0");
}

#[tokio::test]
async fn submission_without_auth_is_refused_530() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    // RFC 6409 §4.3: submission needs authentication; on plain 587 STARTTLS comes first.
    conn.cmd("MAIL FROM:<alice@example.com>")
        .await
        .assert(530, "5.7.0")
        .says("STARTTLS");
}

#[tokio::test]
async fn an_authenticated_user_may_send_as_themself_but_not_as_another_user_553() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.submission(ALICE).await;
    conn.cmd(&format!("MAIL FROM:<{BOB}>"))
        .await
        .assert(553, "5.7.1")
        .says("not yours");
    conn.cmd(&format!("MAIL FROM:<{ALICE}>"))
        .await
        .assert(250, "2.1.0");
}
