//! APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315 §3).

use testbed::ALICE;

use crate::{Imap, MAIL};

#[tokio::test]
async fn append_stores_the_message_with_flags_and_answers_appenduid() {
    let (imap, mut conn) = Imap::alice().await;
    let done = conn.append("Drafts", "\\Seen \\Draft", MAIL[0]).await;
    let snap = imap.snapshot("Drafts").await;
    done.ok_with(&format!(
        "[APPENDUID {} {}] APPEND completed",
        snap.uid_validity, snap.messages[0].uid
    ));
    assert_eq!(snap.messages.len(), 1);
    assert_eq!(snap.messages[0].size, MAIL[0].len() as u64);
    assert!(snap.messages[0].flags.contains(&"\\Draft".to_string()));
}

#[tokio::test]
async fn append_with_a_synchronizing_literal_waits_for_the_continuation() {
    let (imap, mut conn) = Imap::alice().await;
    let tag = conn
        .send(&format!("APPEND INBOX {{{}}}", MAIL[1].len()))
        .await;
    assert_eq!(conn.line().await, "+ Ready");
    conn.client.send_raw(MAIL[1].as_bytes()).await;
    // The line end after the literal ends the command.
    conn.client.send("").await;
    let done = conn.done(&tag).await;
    assert!(done.status.starts_with("OK [APPENDUID "), "{done:?}");
    assert_eq!(imap.count("INBOX").await, 1);
}

#[tokio::test]
async fn append_to_a_missing_mailbox_is_no_trycreate() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.append("Nowhere", "", MAIL[0])
        .await
        .no_with("[TRYCREATE] no such mailbox");
}

#[tokio::test]
async fn append_with_the_recent_flag_is_bad() {
    let (imap, mut conn) = Imap::alice().await;
    conn.append("INBOX", "\\Recent", MAIL[0])
        .await
        .bad_with("\\Recent cannot be set");
    assert_eq!(imap.count("INBOX").await, 0);
}

#[tokio::test]
async fn append_of_an_empty_message_is_no() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.append("INBOX", "", "")
        .await
        .no_with("an empty message is not stored");
}

#[tokio::test]
async fn append_over_quota_is_no_overquota() {
    let imap = Imap::new().await;
    imap.bed
        .store
        .set_quota(ALICE, Some(100))
        .await
        .expect("quota");
    let mut conn = imap.login(ALICE).await;
    let done = conn.append("INBOX", "", &MAIL[0].repeat(2)).await;
    assert!(done.status.starts_with("NO [OVERQUOTA] "), "{done:?}");
}

#[tokio::test]
async fn append_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn.append("INBOX", "", MAIL[0]).await;
    assert!(done.status.starts_with("BAD "), "{done:?}");
}
