//! STAT (RFC 1939 §5).

use testbed::ALICE;

use crate::Pop3;

#[tokio::test]
async fn stat_counts_messages_and_octets_without_the_deleted() {
    let pop3 = Pop3::with_mail().await;
    let sizes = pop3.sizes().await;
    let mut conn = pop3.login(ALICE).await;
    conn.expect("STAT", format!("+OK 2 {}", sizes[0] + sizes[1]))
        .await;
    conn.cmd("DELE 1").await;
    conn.expect("STAT", format!("+OK 1 {}", sizes[1])).await;
}

#[tokio::test]
async fn stat_before_login_is_refused() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect("STAT", "-ERR log in first").await;
}

#[tokio::test]
async fn stat_with_an_argument_is_a_syntax_error() {
    let (_pop3, mut conn) = Pop3::alice().await;
    conn.expect(
        "STAT 1",
        "-ERR syntax error: this command takes no arguments",
    )
    .await;
}
