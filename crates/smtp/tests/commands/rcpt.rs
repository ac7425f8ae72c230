//! RCPT beyond its transcript (`rcpt.txt`): where mail to postmaster is stored.

use testbed::Bench;

use crate::Smtp;

/// RFC 5321 §4.5.1: postmaster MUST be accepted, with or without a domain, even when the
/// office made no account or alias for it; it reaches the first account (alice).
#[tokio::test]
async fn rcpt_to_postmaster_without_an_account_reaches_the_first_account_250() {
    let smtp = Bench::<Smtp>::new("").await;
    for rcpt in [
        "<postmaster>",
        "<PostMaster@example.com>",
        "<postmaster@mail.example.com>",
    ] {
        let text = format!(
            "@ mx
C: MAIL FROM:<sender@example.net>
S: 250 2.1.0 Sender OK
C: RCPT TO:{rcpt}
S: 250 2.1.5 Recipient OK
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: sender@example.net
C: To: alice@example.com
C: Subject: to the postmaster
C: Date: Mon, 7 Dec 2026 10:00:00 +0000
C: Message-ID: <to the postmaster@example.net>
C:
C: hello
C: .
S: 250 2.0.0 Message accepted for delivery as <*>"
        );
        smtp.steps(rcpt, &text).await;
    }
    let inbox = smtp.bed.inbox(smtp.bed.alice).await;
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    assert!(smtp.bed.inbox(smtp.bed.bob).await.is_empty());
}
