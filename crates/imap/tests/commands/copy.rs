//! COPY and UID COPY (RFC 9051 §6.4.7) with COPYUID (RFC 4315 §3).

use testbed::ALICE;

use crate::Imap;

#[tokio::test]
async fn copy_duplicates_messages_into_another_mailbox_with_copyuid() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
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
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("UID COPY 900:999 Trash")
        .await
        .ok_with("COPY completed");
    assert_eq!(imap.count("Trash").await, 0);
}

#[tokio::test]
async fn copy_to_a_missing_mailbox_is_no_trycreate() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("COPY 1 Nowhere")
        .await
        .no_with("[TRYCREATE] no such mailbox");
}

#[tokio::test]
async fn copy_of_a_message_number_that_does_not_exist_is_bad() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("COPY 7 Trash").await.bad_with("no such message");
}

#[tokio::test]
async fn copy_without_a_selected_mailbox_is_bad() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("COPY 1 Trash")
        .await
        .bad_with("COPY select a mailbox first");
}
