//! CREATE (RFC 9051 §6.3.4) with CREATE-SPECIAL-USE (RFC 6154 §3).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn create_makes_a_mailbox_that_list_shows() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Projects/2027")
        .await
        .ok_with("CREATE completed");
    let done = conn.cmd("LIST \"\" Projects/*").await;
    done.has("LIST (\\HasNoChildren) \"/\" \"Projects/2027\"");
    conn.cmd("SELECT Projects/2027")
        .await
        .ok_with("[READ-WRITE] SELECT completed")
        .has("0 EXISTS");
}

#[tokio::test]
async fn create_of_an_existing_mailbox_is_no_alreadyexists() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Sent")
        .await
        .no_with("[ALREADYEXISTS] mailbox already exists");
}

#[tokio::test]
async fn create_with_a_special_use_marks_the_mailbox() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Old (USE (\\Archive))")
        .await
        .ok_with("CREATE completed");
    conn.cmd("LIST \"\" Old")
        .await
        .has("LIST (\\HasNoChildren \\Archive) \"/\" \"Old\"");
}

#[tokio::test]
async fn create_with_an_unsupported_or_taken_special_use_is_no_useattr() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("CREATE Everything (USE (\\All))")
        .await
        .no_with("[USEATTR] this special use is not supported");
    conn.cmd("CREATE Rubbish (USE (\\Trash))")
        .await
        .no_with("[USEATTR] another mailbox has this special use");
    conn.cmd("LIST \"\" Rubbish")
        .await
        .ok_with("LIST completed");
    assert_eq!(
        imap.bed
            .store
            .list_mailboxes(imap.bed.alice)
            .await
            .expect("list")
            .len(),
        5
    );
}

#[tokio::test]
async fn create_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("CREATE Projects")
        .await
        .bad_with("CREATE log in first");
}
