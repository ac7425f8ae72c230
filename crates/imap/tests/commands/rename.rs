//! RENAME (RFC 9051 §6.3.6).

use crate::{Imap, Setup};

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

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "rename of a missing mailbox is no nonexistent",
        "RENAME Nowhere Somewhere",
        "NO [NONEXISTENT] no such mailbox",
    ),
    (
        Setup::Alice,
        "rename onto an existing mailbox is no alreadyexists",
        "RENAME Junk Trash",
        "NO [ALREADYEXISTS] mailbox already exists",
    ),
    (
        Setup::Anonymous,
        "rename before login is bad",
        "RENAME Junk Spam",
        "BAD RENAME log in first",
    ),
}
