//! COPY and UID COPY (RFC 9051 §6.4.7) with COPYUID (RFC 4315 §3).

use crate::Imap;

#[tokio::test]
async fn copy_duplicates_messages_into_another_mailbox_with_copyuid() {
    let (imap, mut conn) = Imap::inbox().await;
    let done = conn.cmd("COPY 1:2 Trash").await;
    let trash = imap.snapshot("Trash").await;
    let inbox = imap.snapshot("INBOX").await;
    done.ok_with(&format!(
        "[COPYUID {} {}:{} {}:{}] COPY completed",
        trash.uid_validity,
        inbox.messages[0].uid,
        inbox.messages[1].uid,
        trash.messages[0].uid,
        trash.messages[1].uid
    ));
    assert_eq!((inbox.messages.len(), trash.messages.len()), (3, 2));
}

#[tokio::test]
async fn uid_copy_of_uids_that_do_not_exist_copies_nothing_and_is_ok() {
    let (imap, mut conn) = Imap::inbox().await;
    conn.ok("UID COPY 900:999 Trash", "COPY completed").await;
    assert_eq!(imap.count("Trash").await, 0);
}

#[tokio::test]
async fn copy_to_a_missing_mailbox_is_no_trycreate() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.no("COPY 1 Nowhere", "[TRYCREATE] no such mailbox")
        .await;
}

#[tokio::test]
async fn copy_of_a_message_number_that_does_not_exist_is_bad() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.bad("COPY 7 Trash", "no such message").await;
}

#[tokio::test]
async fn copy_without_a_selected_mailbox_is_bad() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.bad("COPY 1 Trash", "COPY select a mailbox first")
        .await;
}
