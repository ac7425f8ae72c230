//! DELETE (RFC 9051 §6.3.5).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn delete_removes_a_mailbox() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Old").await.ok_with("CREATE completed");
    conn.cmd("DELETE Old").await.ok_with("DELETE completed");
    conn.cmd("SELECT Old")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn delete_of_a_missing_mailbox_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("DELETE Nowhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn delete_of_inbox_is_no_cannot() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("DELETE INBOX")
        .await
        .no_with("[CANNOT] INBOX cannot be deleted");
    assert_eq!(imap.count("INBOX").await, 3);
}

#[tokio::test]
async fn delete_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("DELETE Sent")
        .await
        .bad_with("DELETE log in first");
}
