//! LIST (RFC 1939 §5).

use testbed::ALICE;

use crate::{Pop3, Setup};

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
    conn.expect("LIST 2", &format!("+OK 2 {}", sizes[1])).await;
}

#[tokio::test]
async fn list_leaves_out_deleted_messages_and_refuses_to_name_them() {
    let pop3 = Pop3::with_mail().await;
    let sizes = pop3.sizes().await;
    let mut conn = pop3.login(ALICE).await;
    conn.cmd("DELE 1").await;
    let (_, lines) = conn.multi("LIST").await;
    assert_eq!(lines, [format!("2 {}", sizes[1])]);
    conn.expect("LIST 1", "-ERR message 1 already deleted")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "list before login is refused",
        "LIST",
        "-ERR log in first",
    ),
    (
        Setup::AliceWithMail,
        "list of a message that does not exist is refused",
        "LIST 3",
        "-ERR no such message",
    ),
    (
        Setup::AliceWithMail,
        "list of a message that does not exist is refused",
        "LIST 0",
        "-ERR no such message",
    ),
    (
        Setup::AliceWithMail,
        "list of a message that does not exist is refused",
        "LIST 99999999999",
        "-ERR no such message",
    ),
}
