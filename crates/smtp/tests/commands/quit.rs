//! QUIT (RFC 5321 §4.1.1.10).

use crate::Smtp;

#[tokio::test]
async fn quit_answers_221_and_closes_the_connection() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect_says("QUIT", 221, "2.0.0", "mail.example.com closing connection")
        .await;
    assert!(conn.closed().await);
}

#[tokio::test]
async fn quit_with_an_argument_is_refused_501_and_the_session_goes_on() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect("QUIT now", 501, "5.5.4").await;
    conn.expect("NOOP", 250, "2.0.0").await;
}
