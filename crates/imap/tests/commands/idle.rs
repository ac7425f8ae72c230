//! IDLE (RFC 2177, RFC 9051 §6.3.13).

use crate::{Imap, MAIL, Setup};

#[tokio::test]
async fn idle_reports_new_mail_as_it_arrives_until_done() {
    let (imap, mut conn) = Imap::inbox().await;
    let tag = conn.send("IDLE").await;
    assert_eq!(conn.line().await, "+ idling");
    imap.bed.deliver(&[imap.bed.alice], MAIL[2]).await;
    assert_eq!(conn.line().await, "* 4 EXISTS");
    conn.client.send("DONE").await;
    conn.done(&tag).await.ok_with("IDLE terminated");
}

#[tokio::test]
async fn idle_followed_by_anything_but_done_is_bad() {
    let (_imap, mut conn) = Imap::inbox().await;
    let tag = conn.send("IDLE").await;
    assert_eq!(conn.line().await, "+ idling");
    conn.client.send("a9 NOOP").await;
    conn.done(&tag).await.bad_with("DONE was expected");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "idle before login is bad",
        "IDLE",
        "BAD IDLE log in first",
    ),
}
