//! SORT and UID SORT (RFC 5256 §3), ESORT (RFC 5267).

use testbed::ALICE;

use crate::Imap;

#[tokio::test]
async fn sort_orders_by_the_criteria() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    // Base subjects BUDGET, LUNCH, LUNCH; ties keep mailbox order.
    conn.cmd("SORT (SUBJECT) UTF-8 ALL")
        .await
        .ok_with("SORT completed")
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
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    conn.cmd("SORT (DATE) KOI8-R ALL")
        .await
        .no_with("[BADCHARSET (UTF-8 US-ASCII)] unsupported charset");
}

#[tokio::test]
async fn sort_with_an_unknown_criterion_is_bad() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.select("INBOX").await;
    assert!(
        conn.cmd("SORT (COLOUR) UTF-8 ALL")
            .await
            .status
            .starts_with("BAD ")
    );
}

#[tokio::test]
async fn sort_without_a_selected_mailbox_is_bad() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("SORT (DATE) UTF-8 ALL")
        .await
        .bad_with("SORT select a mailbox first");
}
