//! PASS (RFC 1939 §7), the lockout, and one session per maildrop (RFC 2449 §8.1.1).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK, PASSWORD};

use crate::Pop3;

#[tokio::test]
async fn pass_after_user_logs_in_and_counts_the_maildrop() {
    let pop3 = Pop3::with_mail().await;
    let octets: u64 = pop3.sizes().await.iter().sum();
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.cmd(&format!("USER {ALICE}")).await;
    conn.expect(
        &format!("PASS {PASSWORD}"),
        &format!("+OK maildrop has 2 messages ({octets} octets)"),
    )
    .await;
}

#[tokio::test]
async fn pass_with_a_wrong_password_is_refused_auth_and_stays_logged_out() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.cmd(&format!("USER {ALICE}")).await;
    conn.expect("PASS wrong", "-ERR [AUTH] invalid user name or password")
        .await;
    conn.expect("STAT", "-ERR log in first").await;
}

#[tokio::test]
async fn pass_without_user_is_refused() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect(&format!("PASS {PASSWORD}"), "-ERR send USER first")
        .await;
}

#[tokio::test]
async fn pass_while_another_session_holds_the_maildrop_is_refused_in_use() {
    let pop3 = Pop3::new().await;
    let _first = pop3.login(ALICE).await;
    let mut second = pop3.connect(Kind::Pop3, LOOPBACK).await;
    second.cmd(&format!("USER {ALICE}")).await;
    second
        .expect(
            &format!("PASS {PASSWORD}"),
            "-ERR [IN-USE] the maildrop is in use by another POP3 session",
        )
        .await;
}

#[tokio::test]
async fn pass_keeps_spaces_in_the_password() {
    let pop3 = Pop3::new().await;
    // The test password has a space in it: PASS takes the rest of the line (RFC 1939 §7).
    assert!(PASSWORD.contains(' '));
    let mut conn = pop3.login(ALICE).await;
    conn.expect("STAT", "+OK 0 0").await;
}
