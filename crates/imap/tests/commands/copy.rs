//! COPY and UID COPY (RFC 9051 §6.4.7) with COPYUID (RFC 4315 §3).

use crate::{Imap, Setup};

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

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Inbox,
        "copy to a missing mailbox is no trycreate",
        "COPY 1 Nowhere",
        "NO [TRYCREATE] no such mailbox",
    ),
    (
        Setup::Inbox,
        "copy of a message number that does not exist is bad",
        "COPY 7 Trash",
        "BAD no such message",
    ),
    (
        Setup::AliceWithMail,
        "copy without a selected mailbox is bad",
        "COPY 1 Trash",
        "BAD COPY select a mailbox first",
    ),
}
