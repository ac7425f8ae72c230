//! GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn getquota_and_getquotaroot_report_storage_in_kib() {
    let imap = Imap::with_mail().await;
    imap.bed
        .store
        .set_quota(ALICE, Some(10 * 1024))
        .await
        .expect("quota");
    let used = imap.bed.store.quota(ALICE).await.expect("usage").used_bytes;
    let line = format!("QUOTA \"\" (STORAGE {} 10)", used.div_ceil(1024));
    let mut conn = imap.login(ALICE).await;
    conn.cmd("GETQUOTA \"\"")
        .await
        .ok_with("GETQUOTA completed")
        .has(&line);
    conn.cmd("GETQUOTAROOT INBOX")
        .await
        .ok_with("GETQUOTAROOT completed")
        .has("QUOTAROOT \"INBOX\" \"\"")
        .has(&line);
}

#[tokio::test]
async fn getquota_without_a_limit_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("GETQUOTA \"\"")
        .await
        .no_with("[NONEXISTENT] no such quota root");
    // Without a limit the mailbox has no quota root at all.
    let done = conn.cmd("GETQUOTAROOT INBOX").await;
    done.ok_with("GETQUOTAROOT completed")
        .has("QUOTAROOT \"INBOX\"");
    assert!(done.lines("QUOTA ").is_empty(), "{done:?}");
}

#[tokio::test]
async fn getquotaroot_of_a_missing_mailbox_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("GETQUOTAROOT Nowhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn setquota_is_no_noperm() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("SETQUOTA \"\" (STORAGE 1000)")
        .await
        .no_with("[NOPERM] quotas are set by the administrator");
    let quota = imap.bed.store.quota(ALICE).await.expect("quota");
    assert_eq!(quota.quota_bytes, None);
}

#[tokio::test]
async fn quota_commands_before_login_are_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("GETQUOTA \"\"")
        .await
        .bad_with("GETQUOTA log in first");
    conn.cmd("GETQUOTAROOT INBOX")
        .await
        .bad_with("GETQUOTAROOT log in first");
}
