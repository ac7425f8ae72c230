//! MOVE and UID MOVE (RFC 6851).

use crate::Imap;

#[tokio::test]
async fn move_copies_then_expunges_with_copyuid_first() {
    let (imap, mut conn) = Imap::inbox().await;
    let done = conn.cmd("MOVE 2 Trash").await;
    done.ok_with("MOVE completed").has("2 EXPUNGE");
    // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGE.
    assert!(done.untagged[0].starts_with("* OK [COPYUID "), "{done:?}");
    assert!(done.untagged[0].ends_with("] moved"), "{done:?}");
    assert_eq!(
        (imap.count("INBOX").await, imap.count("Trash").await),
        (2, 1)
    );
}

#[tokio::test]
async fn uid_move_names_messages_by_uid() {
    let imap = Imap::with_mail().await;
    let uid = imap.uids("INBOX").await[0];
    let mut conn = imap.select("INBOX").await;
    conn.ok(&format!("UID MOVE {uid} Junk"), "MOVE completed")
        .await
        .has("1 EXPUNGE");
    assert_eq!(imap.count("Junk").await, 1);
}

#[tokio::test]
async fn move_out_of_a_read_only_mailbox_is_no_read_only() {
    let (imap, mut conn) = Imap::alice_with_mail().await;
    conn.cmd("EXAMINE INBOX").await;
    conn.no("MOVE 1 Trash", "[READ-ONLY] the mailbox is read-only")
        .await;
    assert_eq!(imap.count("INBOX").await, 3);
}

#[tokio::test]
async fn move_to_a_missing_mailbox_is_no_trycreate() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.no("MOVE 1 Nowhere", "[TRYCREATE] no such mailbox")
        .await;
    assert_eq!(imap.count("INBOX").await, 3);
}
