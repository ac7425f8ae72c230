//! What every command shares through the session: the error limit and shutdown.

use crate::Smtp;

#[tokio::test]
async fn too_many_errors_end_the_session_with_421() {
    let smtp = Smtp::with_config("[limits]\nmax_errors = 3\n").await;
    let mut conn = smtp.mx().await;
    for _ in 0..3 {
        conn.expect("FOO", 500, "5.5.1").await;
    }
    conn.expect("FOO", 500, "5.5.1").await;
    conn.reply()
        .await
        .assert(421, "4.7.0")
        .says("Too many errors");
    assert!(conn.closed().await);
}

#[tokio::test]
async fn shutdown_tells_an_idle_client_421_and_closes() {
    let (smtp, mut conn) = Smtp::mx_session().await;
    smtp.bed.shutdown.cancel();
    conn.reply()
        .await
        .assert(421, "4.3.2")
        .says("shutting down");
    assert!(conn.closed().await);
}
