//! EXAMINE (RFC 9051 §6.3.3): read-only.

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn examine_opens_read_only_and_refuses_changes() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("EXAMINE INBOX")
        .await
        .ok_with("[READ-ONLY] EXAMINE completed")
        .has("3 EXISTS")
        .has("OK [PERMANENTFLAGS ()] flags");
    conn.cmd("STORE 1 +FLAGS (\\Deleted)")
        .await
        .no_with("[READ-ONLY] the mailbox is read-only");
    conn.cmd("EXPUNGE")
        .await
        .no_with("[READ-ONLY] the mailbox is read-only");
}

#[tokio::test]
async fn examine_does_not_set_seen_when_fetching_a_body() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("EXAMINE INBOX").await;
    conn.cmd("FETCH 1 BODY[]").await.ok_with("FETCH completed");
    let done = conn.cmd("FETCH 1 FLAGS").await;
    done.has("1 FETCH (FLAGS ())");
}

#[tokio::test]
async fn examine_of_a_missing_mailbox_is_no_nonexistent() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("EXAMINE Nowhere")
        .await
        .no_with("[NONEXISTENT] no such mailbox");
}

#[tokio::test]
async fn examine_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("EXAMINE INBOX")
        .await
        .bad_with("EXAMINE log in first");
}
