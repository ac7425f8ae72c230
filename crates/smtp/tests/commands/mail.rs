//! MAIL FROM (RFC 5321 §4.1.1.2) with SIZE, BODY, SMTPUTF8, and the submission rules.

use smtp::Kind;
use testbed::{ALICE, BOB, LOOPBACK};

use crate::{Setup, Smtp};

#[tokio::test]
async fn mail_with_a_malformed_address_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    let reply = conn.cmd("MAIL FROM:<no at sign>").await;
    assert_eq!(reply.code, 501, "{reply:?}");
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

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "mail from starts a transaction 250",
        "MAIL FROM:<sender@example.net> SIZE=1000 BODY=8BITMIME",
        250,
        "2.1.0",
        "Sender OK",
    ),
    (
        Setup::MxSession,
        "mail from the null sender is accepted",
        "MAIL FROM:<>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::Greeted,
        "mail before ehlo is refused 503",
        "MAIL FROM:<sender@example.net>",
        503,
        "5.5.1",
        "HELO or EHLO first",
    ),
    (
        Setup::MxSession,
        "mail announcing more than the size limit is refused 552",
        "MAIL FROM:<sender@example.net> SIZE=52428801",
        552,
        "5.3.4",
        "",
    ),
    (
        Setup::MxSession,
        "mail with an unknown parameter is refused 555",
        "MAIL FROM:<sender@example.net> FOO=bar",
        555,
        "5.5.4",
        "FOO",
    ),
    (
        Setup::MxSession,
        "a non ascii sender without smtputf8 is refused 553",
        "MAIL FROM:<jörg@example.net>",
        553,
        "5.6.7",
        "",
    ),
    (
        Setup::MxSession,
        "a non ascii sender without smtputf8 is refused 553",
        "MAIL FROM:<jörg@example.net> SMTPUTF8",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "a second mail in one transaction is refused 503",
        "MAIL FROM:<sender@example.net>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "a second mail in one transaction is refused 503",
        "MAIL FROM:<other@example.net>",
        503,
        "5.5.1",
        "Nested MAIL",
    ),
}
