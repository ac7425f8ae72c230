//! CREATE (RFC 9051 §6.3.4) with CREATE-SPECIAL-USE (RFC 6154 §3).

use crate::{Imap, Setup};

#[tokio::test]
async fn create_makes_a_mailbox_that_list_shows() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("CREATE Projects/2027", "CREATE completed").await;
    let done = conn.cmd("LIST \"\" Projects/*").await;
    done.has("LIST (\\HasNoChildren) \"/\" \"Projects/2027\"");
    conn.ok("SELECT Projects/2027", "[READ-WRITE] SELECT completed")
        .await
        .has("0 EXISTS");
}

#[tokio::test]
async fn create_with_a_special_use_marks_the_mailbox() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("CREATE Old (USE (\\Archive))", "CREATE completed")
        .await;
    conn.cmd("LIST \"\" Old")
        .await
        .has("LIST (\\HasNoChildren \\Archive) \"/\" \"Old\"");
}

#[tokio::test]
async fn create_with_an_unsupported_or_taken_special_use_is_no_useattr() {
    let (imap, mut conn) = Imap::alice().await;
    conn.no(
        "CREATE Everything (USE (\\All))",
        "[USEATTR] this special use is not supported",
    )
    .await;
    conn.no(
        "CREATE Rubbish (USE (\\Trash))",
        "[USEATTR] another mailbox has this special use",
    )
    .await;
    conn.ok("LIST \"\" Rubbish", "LIST completed").await;
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

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "create of an existing mailbox is no alreadyexists",
        "CREATE Sent",
        "NO [ALREADYEXISTS] mailbox already exists",
    ),
    (
        Setup::Anonymous,
        "create before login is bad",
        "CREATE Projects",
        "BAD CREATE log in first",
    ),
}
