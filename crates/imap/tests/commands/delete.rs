//! DELETE (RFC 9051 §6.3.5).

use crate::{Imap, Setup};

#[tokio::test]
async fn delete_of_inbox_is_no_cannot() {
    let (imap, mut conn) = Imap::alice_with_mail().await;
    conn.no("DELETE INBOX", "[CANNOT] INBOX cannot be deleted")
        .await;
    assert_eq!(imap.count("INBOX").await, 3);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "delete of a missing mailbox is no nonexistent",
        "DELETE Nowhere",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Anonymous,
        "delete before login is bad",
        "DELETE Sent",
        "BAD DELETE log in first",
    ),
    (
        Setup::Alice,
        "delete removes a mailbox",
        "CREATE Old",
        "OK CREATE completed",
    ),
    (
        Setup::Alice,
        "delete removes a mailbox",
        "DELETE Old",
        "OK DELETE completed",
    ),
    (
        Setup::Alice,
        "delete removes a mailbox",
        "SELECT Old",
        "NO [NONEXISTENT] no such mailbox",
    ),
}
