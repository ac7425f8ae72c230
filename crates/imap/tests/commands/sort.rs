//! SORT and UID SORT (RFC 5256 §3), ESORT (RFC 5267).

use crate::{Imap, Setup};

#[tokio::test]
async fn sort_orders_by_the_criteria() {
    let (_imap, mut conn) = Imap::inbox().await;
    // Base subjects BUDGET, LUNCH, LUNCH; ties keep mailbox order.
    conn.ok("SORT (SUBJECT) UTF-8 ALL", "SORT completed")
        .await
        .has("SORT 3 1 2");
    conn.cmd("SORT (REVERSE DATE) UTF-8 ALL")
        .await
        .has("SORT 2 1 3");
    conn.cmd("SORT (FROM) US-ASCII SUBJECT lunch")
        .await
        .has("SORT 1 2");
}

#[tokio::test]
async fn uid_sort_answers_uids() {
    let imap = Imap::with_mail().await;
    let uids = imap.uids("INBOX").await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("UID SORT (DISPLAYFROM) UTF-8 ALL")
        .await
        .has(&format!("SORT {} {} {}", uids[2], uids[0], uids[1]));
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Inbox,
        "sort with an unknown charset is no badcharset",
        "SORT (DATE) X-UNKNOWN ALL",
        crate::BADCHARSET,
    ),
    (
        Setup::AliceWithMail,
        "sort without a selected mailbox is bad",
        "SORT (DATE) UTF-8 ALL",
        "BAD SORT select a mailbox first",
    ),
    (
        Setup::Inbox,
        "sort with an unknown criterion is bad",
        "SORT (COLOUR) UTF-8 ALL",
        "BAD syntax error: unknown sort key",
    ),
}
