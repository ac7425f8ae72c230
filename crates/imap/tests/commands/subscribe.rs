//! SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8).

use crate::Imap;

#[tokio::test]
async fn subscribe_and_unsubscribe_change_what_lsub_lists() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.cmd("CREATE Lists").await;
    conn.ok("SUBSCRIBE Lists", "SUBSCRIBE completed").await;
    conn.cmd("LSUB \"\" Lists")
        .await
        .has("LSUB (\\HasNoChildren) \"/\" \"Lists\"");
    conn.ok("UNSUBSCRIBE Lists", "UNSUBSCRIBE completed").await;
    let done = conn.cmd("LSUB \"\" Lists").await;
    assert!(done.untagged.is_empty(), "{done:?}");
}

#[tokio::test]
async fn subscribe_to_a_missing_mailbox_is_no_nonexistent() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no("SUBSCRIBE Nowhere", "[NONEXISTENT] no such mailbox")
        .await;
    conn.no("UNSUBSCRIBE Nowhere", "[NONEXISTENT] no such mailbox")
        .await;
}

#[tokio::test]
async fn subscribe_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad("SUBSCRIBE INBOX", "SUBSCRIBE log in first").await;
    conn.bad("UNSUBSCRIBE INBOX", "UNSUBSCRIBE log in first")
        .await;
}
