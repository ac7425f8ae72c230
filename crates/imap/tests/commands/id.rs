//! ID (RFC 2971).

use imap::Kind;
use testbed::LOOPBACK;

use crate::Imap;

#[tokio::test]
async fn id_answers_the_server_name_in_any_state() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("ID (\"name\" \"test client\" \"version\" \"1\")")
        .await
        .ok_with("ID completed")
        .has("ID (\"name\" \"Postroom\")");
    conn.cmd("ID NIL").await.ok_with("ID completed");
}

#[tokio::test]
async fn id_with_a_malformed_list_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    let done = conn.cmd("ID (\"name\"").await;
    assert!(done.status.starts_with("BAD "), "{done:?}");
}
