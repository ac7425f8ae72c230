//! SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn subscribe_and_unsubscribe_change_what_lsub_lists() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Lists").await;
    conn.cmd("SUBSCRIBE Lists")
        .await
        .ok_with("SUBSCRIBE completed");
    conn.cmd("LSUB \"\" Lists")
        .await
        .has("LSUB (\\HasNoChildren) \"/\" \"Lists\"");
    conn.cmd("UNSUBSCRIBE Lists")
        .await
        .ok_with("UNSUBSCRIBE completed");
    let done = conn.cmd("LSUB \"\" Lists").await;
    assert!(done.untagged.is_empty(), "{done:?}");
}

#[tokio::test]
async fn subscribe_to_a_missing_mailbox_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("SUBSCRIBE Nowhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
    conn.cmd("UNSUBSCRIBE Nowhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn subscribe_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("SUBSCRIBE INBOX")
        .await
        .bad_with("SUBSCRIBE log in first");
    conn.cmd("UNSUBSCRIBE INBOX")
        .await
        .bad_with("UNSUBSCRIBE log in first");
}
