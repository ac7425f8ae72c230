//! LSUB (RFC 3501 §6.3.9): the subscribed mailboxes.

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn lsub_lists_the_subscribed_mailboxes_only() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    // A created mailbox starts subscribed (the store's default).
    conn.cmd("CREATE Unread").await;
    conn.cmd("LSUB \"\" *")
        .await
        .ok_with("LSUB completed")
        .has("LSUB (\\HasNoChildren) \"/\" \"Unread\"");
    conn.cmd("UNSUBSCRIBE Unread").await;
    let done = conn.cmd("LSUB \"\" *").await;
    assert_eq!(done.lines("LSUB").len(), 5, "{done:?}");
    assert!(
        done.lines("LSUB")
            .iter()
            .all(|l| !l.ends_with("\"Unread\"")),
        "{done:?}"
    );
}

#[tokio::test]
async fn lsub_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("LSUB \"\" *").await.bad_with("LSUB log in first");
}
