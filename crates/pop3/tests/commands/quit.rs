//! QUIT (RFC 1939 §4, §6).

use testbed::ALICE;

use crate::Pop3;

#[tokio::test]
async fn quit_before_login_says_bye_and_closes() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect("QUIT", "+OK bye").await;
    assert!(conn.closed().await);
}

#[tokio::test]
async fn quit_after_login_releases_the_maildrop() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.expect("QUIT", "+OK bye").await;
    assert!(conn.closed().await);
    // The lock went with the session's state before the reply: a new login gets in at once.
    let mut again = pop3.login(ALICE).await;
    again.expect_start("STAT", "+OK 2 ").await;
}

#[tokio::test]
async fn quit_with_an_argument_is_a_syntax_error_and_deletes_nothing() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.cmd("DELE 1").await;
    conn.expect(
        "QUIT now",
        "-ERR syntax error: this command takes no arguments",
    )
    .await;
    assert_eq!(pop3.bed.inbox(pop3.bed.alice).await.len(), 2);
}
