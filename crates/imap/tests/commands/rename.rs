//! RENAME (RFC 9051 §6.3.6).

use crate::Imap;

#[tokio::test]
async fn rename_moves_a_mailbox_and_its_children() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("CREATE Work", "CREATE completed").await;
    conn.ok("CREATE Work/Old", "CREATE completed").await;
    conn.ok("RENAME Work Job", "RENAME completed").await;
    let done = conn.cmd("LIST \"\" *").await;
    done.has("LIST (\\HasNoChildren) \"/\" \"Job/Old\"");
    assert!(
        done.lines("LIST").iter().all(|l| !l.contains("Work")),
        "{done:?}"
    );
}

#[tokio::test]
async fn rename_of_a_missing_mailbox_is_no_nonexistent() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no("RENAME Nowhere Somewhere", "[NONEXISTENT] no such mailbox")
        .await;
}

#[tokio::test]
async fn rename_onto_an_existing_mailbox_is_no_alreadyexists() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.no(
        "RENAME Junk Trash",
        "[ALREADYEXISTS] mailbox already exists",
    )
    .await;
}

#[tokio::test]
async fn rename_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad("RENAME Junk Spam", "RENAME log in first").await;
}
