//! RCPT TO (RFC 5321 §4.1.1.3): local recipients, relaying, limits.

use smtp::Kind;
use testbed::{ALICE, BOB, LOOPBACK, message};

use crate::Smtp;

#[tokio::test]
async fn rcpt_to_a_local_account_is_accepted_250() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.cmd(&format!(
        "RCPT TO:<{ALICE}> NOTIFY=FAILURE ORCPT=rfc822;{ALICE}"
    ))
    .await
    .assert(250, "2.1.5")
    .says("Recipient OK");
    conn.cmd(&format!("RCPT TO:<{BOB}>"))
        .await
        .assert(250, "2.1.5");
}

#[tokio::test]
async fn rcpt_before_mail_is_refused_503() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd(&format!("RCPT TO:<{ALICE}>"))
        .await
        .assert(503, "5.5.1")
        .says("Need MAIL");
}

#[tokio::test]
async fn rcpt_to_an_unknown_local_user_is_rejected_550() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.cmd("RCPT TO:<nobody@example.com>")
        .await
        .assert(550, "5.1.1")
        .says("no such user");
}

#[tokio::test]
async fn rcpt_to_an_outside_domain_without_auth_is_relay_denied_554() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.cmd("RCPT TO:<someone@example.org>")
        .await
        .assert(554, "5.7.1")
        .says("Relay access denied");
}

#[tokio::test]
async fn rcpt_to_an_outside_domain_after_auth_is_relayed_250() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.submission(ALICE).await;
    conn.ok(&format!("MAIL FROM:<{ALICE}>")).await;
    conn.cmd("RCPT TO:<someone@example.org>")
        .await
        .assert(250, "2.1.5");
}

#[tokio::test]
async fn rcpt_from_a_trusted_relay_network_is_relayed_250() {
    let smtp = Smtp::with_config("[relay]\nnetworks = [\"127.0.0.0/8\"]\n").await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.ok("EHLO office.example.com").await;
    conn.ok("MAIL FROM:<sender@example.com>").await;
    conn.cmd("RCPT TO:<someone@example.org>")
        .await
        .assert(250, "2.1.5");
}

#[tokio::test]
async fn rcpt_to_the_null_path_is_refused_501() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
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
    conn.cmd(&format!("RCPT TO:<{BOB}>"))
        .await
        .assert(452, "4.5.3")
        .says("Too many recipients");
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
    conn.cmd(&format!("RCPT TO:<{ALICE}>"))
        .await
        .assert(452, "4.2.2")
        .says("Mailbox full");
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
        conn.cmd(&format!("RCPT TO:{rcpt}"))
            .await
            .assert(250, "2.1.5");
        assert_eq!(conn.cmd("DATA").await.code, 354);
        let body = message("sender@example.net", "to the postmaster", "hello");
        conn.client.send_raw(body.as_bytes()).await;
        conn.cmd(".").await.assert(250, "2.0.0");
    }
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    assert!(smtp.bed.inbox(smtp.bed.bob).await.is_empty());
}

/// Postmaster of an outside domain is not ours: relaying rules still apply.
#[tokio::test]
async fn rcpt_to_postmaster_of_an_outside_domain_is_relay_denied_554() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.cmd("RCPT TO:<postmaster@example.org>")
        .await
        .assert(554, "5.7.1");
}
