//! What every command shares through the session: the error limit and shutdown.

use imap::Kind;
use testbed::LOOPBACK;

use crate::Imap;

#[tokio::test]
async fn too_many_errors_end_the_session_with_bye() {
    let imap = Imap::new().await;
    let max = imap.bed.config.limits.max_errors;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    for _ in 0..max {
        conn.bad("FOO", "unknown command").await;
    }
    let tag = conn.send("FOO").await;
    assert_eq!(conn.line().await, format!("{tag} BAD unknown command"));
    assert_eq!(conn.line().await, "* BYE too many errors");
    assert!(conn.closed().await);
}

#[tokio::test]
async fn shutdown_tells_an_idle_client_bye() {
    let imap = Imap::new().await;
    let mut conn = imap.select("INBOX").await;
    imap.bed.shutdown.cancel();
    assert_eq!(conn.line().await, "* BYE server shutting down");
    assert!(conn.closed().await);
}
