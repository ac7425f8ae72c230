//! LIST (RFC 1939 §5).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn list_gives_each_message_size_as_a_multi_line_response() {
    let pop3 = Pop3::with_mail().await;
    let sizes = pop3.sizes().await;
    let mut conn = pop3.login(ALICE).await;
    let (status, lines) = conn.multi("LIST").await;
    assert_eq!(
        status,
        format!("+OK 2 messages ({} octets)", sizes[0] + sizes[1])
    );
    assert_eq!(
        lines,
        [format!("1 {}", sizes[0]), format!("2 {}", sizes[1])]
    );
    assert_eq!(conn.cmd("LIST 2").await, format!("+OK 2 {}", sizes[1]));
}

#[tokio::test]
async fn list_leaves_out_deleted_messages_and_refuses_to_name_them() {
    let pop3 = Pop3::with_mail().await;
    let sizes = pop3.sizes().await;
    let mut conn = pop3.login(ALICE).await;
    conn.cmd("DELE 1").await;
    let (_, lines) = conn.multi("LIST").await;
    assert_eq!(lines, [format!("2 {}", sizes[1])]);
    assert_eq!(conn.cmd("LIST 1").await, "-ERR message 1 already deleted");
}

#[tokio::test]
async fn list_of_a_message_that_does_not_exist_is_refused() {
    let pop3 = Pop3::with_mail().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("LIST 3").await, "-ERR no such message");
    assert_eq!(conn.cmd("LIST 0").await, "-ERR no such message");
    assert_eq!(conn.cmd("LIST 99999999999").await, "-ERR no such message");
}

#[tokio::test]
async fn list_before_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("LIST").await, "-ERR log in first");
}
