//! GETQUOTA, GETQUOTAROOT and SETQUOTA (RFC 9208).

use testbed::ALICE;

use crate::{Imap, Setup};

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
    conn.ok("GETQUOTA \"\"", "GETQUOTA completed")
        .await
        .has(&line);
    conn.ok("GETQUOTAROOT INBOX", "GETQUOTAROOT completed")
        .await
        .has("QUOTAROOT \"INBOX\" \"\"")
        .has(&line);
}

#[tokio::test]
async fn getquota_without_a_limit_is_no_nonexistent() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no("GETQUOTA \"\"", "[NONEXISTENT] no such quota root")
        .await;
    // Without a limit the mailbox has no quota root at all.
    let done = conn.cmd("GETQUOTAROOT INBOX").await;
    done.ok_with("GETQUOTAROOT completed")
        .has("QUOTAROOT \"INBOX\"");
    assert!(done.lines("QUOTA ").is_empty(), "{done:?}");
}

#[tokio::test]
async fn setquota_is_no_noperm() {
    let (imap, mut conn) = Imap::alice().await;
    conn.no(
        "SETQUOTA \"\" (STORAGE 1000)",
        "[NOPERM] quotas are set by the administrator",
    )
    .await;
    let quota = imap.bed.store.quota(ALICE).await.expect("quota");
    assert_eq!(quota.quota_bytes, None);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "getquotaroot of a missing mailbox is no nonexistent",
        "GETQUOTAROOT Nowhere",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Anonymous,
        "quota commands before login are bad",
        "GETQUOTA \"\"",
        "BAD GETQUOTA log in first",
    ),
    (
        Setup::Anonymous,
        "quota commands before login are bad",
        "GETQUOTAROOT INBOX",
        "BAD GETQUOTAROOT log in first",
    ),
}
