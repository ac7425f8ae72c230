//! ID (RFC 2971).

use crate::Imap;

#[tokio::test]
async fn id_answers_the_server_name_in_any_state() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.ok(
        "ID (\"name\" \"test client\" \"version\" \"1\")",
        "ID completed",
    )
    .await
    .has("ID (\"name\" \"Postroom\")");
    conn.ok("ID NIL", "ID completed").await;
}

#[tokio::test]
async fn id_with_a_malformed_list_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn.cmd("ID (\"name\"").await;
    assert!(done.status.starts_with("BAD "), "{done:?}");
}
