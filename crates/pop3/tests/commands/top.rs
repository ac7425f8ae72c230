//! TOP (RFC 1939 §7): the header and the first lines of the body.

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::{FIRST, Pop3};

#[tokio::test]
async fn top_with_zero_lines_sends_the_header_and_the_blank_line() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    let (status, lines) = conn.multi("TOP 1 0").await;
    assert!(status.starts_with("+OK "), "{status}");
    assert!(lines.contains(&format!("Subject: {FIRST}")), "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some(""), "{lines:?}");
}

#[tokio::test]
async fn top_with_two_lines_sends_two_body_lines_unstuffed() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
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
async fn top_without_a_line_count_is_a_syntax_error() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(
        conn.cmd("TOP 1").await,
        "-ERR syntax error: TOP needs a message number and a line count"
    );
    assert_eq!(conn.cmd("TOP 7 1").await, "-ERR no such message");
}

#[tokio::test]
async fn top_before_login_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("TOP 1 0").await, "-ERR log in first");
}
