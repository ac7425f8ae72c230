//! TOP (RFC 1939 §7): the header and the first lines of the body.

use pop3::Kind;
use testbed::LOOPBACK;

use crate::{FIRST, Pop3, Setup};

#[tokio::test]
async fn top_with_zero_lines_sends_the_header_and_the_blank_line() {
    let (_pop3, mut conn) = Pop3::alice_with_mail().await;
    let (status, lines) = conn.multi("TOP 1 0").await;
    assert!(status.starts_with("+OK "), "{status}");
    assert!(lines.contains(&format!("Subject: {FIRST}")), "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some(""), "{lines:?}");
}

#[tokio::test]
async fn top_with_two_lines_sends_two_body_lines_unstuffed() {
    let (_pop3, mut conn) = Pop3::alice_with_mail().await;
    let (_, lines) = conn.multi("TOP 1 2").await;
    let body: Vec<&str> = lines
        .iter()
        .skip_while(|l| !l.is_empty())
        .skip(1)
        .map(String::as_str)
        .collect();
    assert_eq!(body, ["one", ".leading dot"]);
}

#[tokio::test]
async fn top_before_login_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    conn.expect("TOP 1 0", "-ERR log in first").await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::AliceWithMail,
        "top without a line count is a syntax error",
        "TOP 1",
        "-ERR syntax error: TOP needs a message number and a line count",
    ),
    (
        Setup::AliceWithMail,
        "top without a line count is a syntax error",
        "TOP 7 1",
        "-ERR no such message",
    ),
}
