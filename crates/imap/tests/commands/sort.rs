//! SORT and UID SORT (RFC 5256 §3), ESORT (RFC 5267).

use crate::Imap;

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

#[tokio::test]
async fn sort_with_an_unknown_charset_is_no_badcharset() {
    let (_imap, mut conn) = Imap::inbox().await;
    conn.no(
        "SORT (DATE) KOI8-R ALL",
        "[BADCHARSET (UTF-8 US-ASCII)] unsupported charset",
    )
    .await;
}

#[tokio::test]
async fn sort_with_an_unknown_criterion_is_bad() {
    let (_imap, mut conn) = Imap::inbox().await;
    assert!(
        conn.cmd("SORT (COLOUR) UTF-8 ALL")
            .await
            .status
            .starts_with("BAD ")
    );
}

#[tokio::test]
async fn sort_without_a_selected_mailbox_is_bad() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.bad("SORT (DATE) UTF-8 ALL", "SORT select a mailbox first")
        .await;
}
