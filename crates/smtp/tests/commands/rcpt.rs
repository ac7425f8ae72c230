//! RCPT TO (RFC 5321 §4.1.1.3): local recipients, relaying, limits.

use smtp::Kind;
use testbed::{ALICE, BOB, LOOPBACK, message};

use crate::{Setup, Smtp};

#[tokio::test]
async fn rcpt_to_an_outside_domain_after_auth_is_relayed_250() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.submission(ALICE).await;
    conn.ok(&format!("MAIL FROM:<{ALICE}>")).await;
    conn.expect("RCPT TO:<someone@example.org>", 250, "2.1.5")
        .await;
}

#[tokio::test]
async fn rcpt_from_a_trusted_relay_network_is_relayed_250() {
    let smtp = Smtp::with_config("[relay]\nnetworks = [\"127.0.0.0/8\"]\n").await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.ok("EHLO office.example.com").await;
    conn.ok("MAIL FROM:<sender@example.com>").await;
    conn.expect("RCPT TO:<someone@example.org>", 250, "2.1.5")
        .await;
}

#[tokio::test]
async fn rcpt_to_the_null_path_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    let reply = conn.cmd("RCPT TO:<>").await;
    assert_eq!(reply.code, 501, "{reply:?}");
}

#[tokio::test]
async fn rcpt_past_the_recipient_limit_is_deferred_452() {
    let smtp = Smtp::with_config("[limits]\nmax_recipients = 1\n").await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.ok(&format!("RCPT TO:<{ALICE}>")).await;
    conn.expect_says(
        &format!("RCPT TO:<{BOB}>"),
        452,
        "4.5.3",
        "Too many recipients",
    )
    .await;
}

#[tokio::test]
async fn rcpt_to_a_full_mailbox_is_deferred_452() {
    let smtp = Smtp::new().await;
    smtp.bed
        .store
        .set_quota(ALICE, Some(1))
        .await
        .expect("quota");
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net> SIZE=100").await;
    conn.expect_says(&format!("RCPT TO:<{ALICE}>"), 452, "4.2.2", "Mailbox full")
        .await;
}

/// RFC 5321 §4.5.1: postmaster MUST be accepted, with or without a domain, even when the
/// office made no account or alias for it; it reaches the first account (alice).
#[tokio::test]
async fn rcpt_to_postmaster_without_an_account_reaches_the_first_account_250() {
    let smtp = Smtp::new().await;
    for rcpt in [
        "<postmaster>",
        "<PostMaster@example.com>",
        "<postmaster@mail.example.com>",
    ] {
        let mut conn = smtp.mx().await;
        conn.ok("MAIL FROM:<sender@example.net>").await;
        conn.expect(&format!("RCPT TO:{rcpt}"), 250, "2.1.5").await;
        assert_eq!(conn.cmd("DATA").await.code, 354);
        let body = message("sender@example.net", "to the postmaster", "hello");
        conn.client.send_raw(body.as_bytes()).await;
        conn.expect(".", 250, "2.0.0").await;
    }
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    assert!(smtp.bed.inbox(smtp.bed.bob).await.is_empty());
}

/// RFC 2142 §4: abuse@ every local domain is accepted like postmaster@ and reaches the first
/// account when the office made no account or alias for it.
#[tokio::test]
async fn rcpt_to_abuse_without_an_account_reaches_the_first_account_250() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.expect("RCPT TO:<Abuse@example.com>", 250, "2.1.5")
        .await;
    assert_eq!(conn.cmd("DATA").await.code, 354);
    let body = message("sender@example.net", "spam report", "hello");
    conn.client.send_raw(body.as_bytes()).await;
    conn.expect(".", 250, "2.0.0").await;
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    // abuse@ an outside domain is not ours.
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.expect("RCPT TO:<abuse@example.org>", 554, "5.7.1")
        .await;
}

/// Postmaster of an outside domain is not ours: relaying rules still apply.
#[tokio::test]
async fn rcpt_to_postmaster_of_an_outside_domain_is_relay_denied_554() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.expect("RCPT TO:<postmaster@example.org>", 554, "5.7.1")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "rcpt before mail is refused 503",
        "RCPT TO:<alice@example.com>",
        503,
        "5.5.1",
        "Need MAIL",
    ),
    (
        Setup::MxSession,
        "rcpt to a local account is accepted 250",
        "MAIL FROM:<sender@example.net>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "rcpt to a local account is accepted 250",
        "RCPT TO:<alice@example.com> NOTIFY=FAILURE ORCPT=rfc822;alice@example.com",
        250,
        "2.1.5",
        "Recipient OK",
    ),
    (
        Setup::MxSession,
        "rcpt to a local account is accepted 250",
        "RCPT TO:<bob@example.com>",
        250,
        "2.1.5",
        "",
    ),
    (
        Setup::MxSession,
        "rcpt to an unknown local user is rejected 550",
        "MAIL FROM:<sender@example.net>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "rcpt to an unknown local user is rejected 550",
        "RCPT TO:<nobody@example.com>",
        550,
        "5.1.1",
        "no such user",
    ),
    (
        Setup::MxSession,
        "rcpt to an outside domain without auth is relay denied 554",
        "MAIL FROM:<sender@example.net>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "rcpt to an outside domain without auth is relay denied 554",
        "RCPT TO:<someone@example.org>",
        554,
        "5.7.1",
        "Relay access denied",
    ),
}
