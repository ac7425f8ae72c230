//! THREAD and UID THREAD (RFC 5256 §3): ORDEREDSUBJECT and REFERENCES.

use crate::{Imap, Setup};

#[tokio::test]
async fn thread_references_links_a_reply_to_its_parent() {
    let (_imap, mut conn) = Imap::inbox().await;
    // Threads in the order of their first message's date: Budget (Dec 6), then Lunch.
    conn.ok("THREAD REFERENCES UTF-8 ALL", "THREAD completed")
        .await
        .has("THREAD (3)(1 2)");
}

#[tokio::test]
async fn thread_orderedsubject_groups_by_base_subject() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.ok("THREAD ORDEREDSUBJECT UTF-8 ALL", "THREAD completed")
        .await
        .has("THREAD (3)(1 2)");
    conn.cmd("THREAD ORDEREDSUBJECT UTF-8 FROM carol")
        .await
        .has("THREAD (1)");
}

#[tokio::test]
async fn uid_thread_answers_uids() {
    let imap = Imap::with_mail().await;
    let uids = imap.uids("INBOX").await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("UID THREAD REFERENCES UTF-8 ALL")
        .await
        .has(&format!("THREAD ({})({} {})", uids[2], uids[0], uids[1]));
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::AliceWithMail,
        "thread without a selected mailbox is bad",
        "THREAD REFERENCES UTF-8 ALL",
        "BAD THREAD select a mailbox first",
    ),
    (
        Setup::Inbox,
        "thread with an unknown algorithm is bad and an unknown charset no",
        "THREAD GUESS UTF-8 ALL",
        "BAD syntax error: unknown threading algorithm",
    ),
    (
        Setup::Inbox,
        "thread with an unknown algorithm is bad and an unknown charset no",
        "THREAD REFERENCES X-UNKNOWN ALL",
        crate::BADCHARSET,
    ),
}
