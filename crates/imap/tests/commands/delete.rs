//! DELETE (RFC 9051 §6.3.5).

use crate::Imap;

#[tokio::test]
async fn delete_removes_a_mailbox() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("CREATE Old", "CREATE completed").await;
    conn.ok("DELETE Old", "DELETE completed").await;
    conn.no("SELECT Old", "[NONEXISTENT] no such mailbox").await;
}

#[tokio::test]
async fn delete_of_a_missing_mailbox_is_no_nonexistent() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no("DELETE Nowhere", "[NONEXISTENT] no such mailbox")
        .await;
}

#[tokio::test]
async fn delete_of_inbox_is_no_cannot() {
    let (imap, mut conn) = Imap::alice_with_mail().await;
    conn.no("DELETE INBOX", "[CANNOT] INBOX cannot be deleted")
        .await;
    assert_eq!(imap.count("INBOX").await, 3);
}

#[tokio::test]
async fn delete_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad("DELETE Sent", "DELETE log in first").await;
}
