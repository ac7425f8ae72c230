//! THREAD and UID THREAD (RFC 5256 §3): ORDEREDSUBJECT and REFERENCES.

use testbed::ALICE;

use crate::Imap;

#[tokio::test]
async fn thread_references_links_a_reply_to_its_parent() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    // Threads in the order of their first message's date: Budget (Dec 6), then Lunch.
    conn.cmd("THREAD REFERENCES UTF-8 ALL")
        .await
        .ok_with("THREAD completed")
        .has("THREAD (3)(1 2)");
}

#[tokio::test]
async fn thread_orderedsubject_groups_by_base_subject() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("THREAD ORDEREDSUBJECT UTF-8 ALL")
        .await
        .ok_with("THREAD completed")
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

#[tokio::test]
async fn thread_with_an_unknown_algorithm_is_bad_and_an_unknown_charset_no() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    assert!(
        conn.cmd("THREAD GUESS UTF-8 ALL")
            .await
            .status
            .starts_with("BAD ")
    );
    conn.cmd("THREAD REFERENCES KOI8-R ALL")
        .await
        .no_with("[BADCHARSET (UTF-8 US-ASCII)] unsupported charset");
}

#[tokio::test]
async fn thread_without_a_selected_mailbox_is_bad() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("THREAD REFERENCES UTF-8 ALL")
        .await
        .bad_with("THREAD select a mailbox first");
}
