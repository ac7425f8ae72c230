//! QUIT (RFC 5321 §4.1.1.10).

use crate::Smtp;

#[tokio::test]
async fn quit_answers_221_and_closes_the_connection() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("QUIT")
        .await
        .assert(221, "2.0.0")
        .says("mail.example.com closing connection");
    assert!(conn.closed().await);
}

#[tokio::test]
async fn quit_with_an_argument_is_refused_501_and_the_session_goes_on() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.cmd("QUIT now").await.assert(501, "5.5.4");
    conn.cmd("NOOP").await.assert(250, "2.0.0");
}
