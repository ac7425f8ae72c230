//! What every command shares through the session: the error limit and shutdown.

use pop3::Kind;
use testbed::LOOPBACK;

use crate::Pop3;

#[tokio::test]
async fn too_many_errors_end_the_session() {
    let pop3 = Pop3::new().await;
    let max = pop3.bed.config.limits.max_errors;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    for _ in 0..max {
        conn.expect("FOO", "-ERR unknown command").await;
    }
    conn.expect("FOO", "-ERR unknown command").await;
    assert_eq!(
        conn.client.line().await,
        "-ERR too many errors, closing connection"
    );
    assert!(conn.closed().await);
}

#[tokio::test]
async fn shutdown_tells_an_idle_client_and_deletes_nothing() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    conn.cmd("DELE 1").await;
    pop3.bed.shutdown.cancel();
    assert_eq!(
        conn.client.line().await,
        "-ERR [SYS/TEMP] server shutting down"
    );
    assert!(conn.closed().await);
    // No QUIT, no UPDATE state (RFC 1939 §6).
    assert_eq!(pop3.bed.inbox(pop3.bed.alice).await.len(), 2);
}
