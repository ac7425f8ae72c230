//! MAIL FROM (RFC 5321 §4.1.1.2) with SIZE, BODY, SMTPUTF8, and the submission rules.

use smtp::Kind;
use testbed::{ALICE, BOB, LOOPBACK};

use crate::Smtp;

#[tokio::test]
async fn mail_from_starts_a_transaction_250() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect_says(
        "MAIL FROM:<sender@example.net> SIZE=1000 BODY=8BITMIME",
        250,
        "2.1.0",
        "Sender OK",
    )
    .await;
}

#[tokio::test]
async fn mail_from_the_null_sender_is_accepted() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect("MAIL FROM:<>", 250, "2.1.0").await;
}

#[tokio::test]
async fn mail_before_ehlo_is_refused_503() {
    let (_smtp, mut conn) = Smtp::greeted().await;
    conn.expect_says(
        "MAIL FROM:<sender@example.net>",
        503,
        "5.5.1",
        "HELO or EHLO first",
    )
    .await;
}

#[tokio::test]
async fn a_second_mail_in_one_transaction_is_refused_503() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.expect_says("MAIL FROM:<other@example.net>", 503, "5.5.1", "Nested MAIL")
        .await;
}

#[tokio::test]
async fn mail_announcing_more_than_the_size_limit_is_refused_552() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect("MAIL FROM:<sender@example.net> SIZE=52428801", 552, "5.3.4")
        .await;
}

#[tokio::test]
async fn mail_with_a_malformed_address_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    let reply = conn.cmd("MAIL FROM:<no at sign>").await;
    assert_eq!(reply.code, 501, "{reply:?}");
}

#[tokio::test]
async fn mail_with_an_unknown_parameter_is_refused_555() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect_says(
        "MAIL FROM:<sender@example.net> FOO=bar",
        555,
        "5.5.4",
        "FOO",
    )
    .await;
}

#[tokio::test]
async fn a_non_ascii_sender_without_smtputf8_is_refused_553() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect("MAIL FROM:<jörg@example.net>", 553, "5.6.7")
        .await;
    conn.expect("MAIL FROM:<jörg@example.net> SMTPUTF8", 250, "2.1.0")
        .await;
}

#[tokio::test]
async fn submission_without_auth_is_refused_530() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    // RFC 6409 §4.3: submission needs authentication; on plain 587 STARTTLS comes first.
    conn.expect_says("MAIL FROM:<alice@example.com>", 530, "5.7.0", "STARTTLS")
        .await;
}

#[tokio::test]
async fn an_authenticated_user_may_send_as_themself_but_not_as_another_user_553() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.submission(ALICE).await;
    conn.expect_says(&format!("MAIL FROM:<{BOB}>"), 553, "5.7.1", "not yours")
        .await;
    conn.expect(&format!("MAIL FROM:<{ALICE}>"), 250, "2.1.0")
        .await;
}
