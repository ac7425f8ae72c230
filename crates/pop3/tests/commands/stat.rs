//! STAT (RFC 1939 §5).

use testbed::ALICE;

use crate::{Pop3, Setup};

#[tokio::test]
async fn stat_counts_messages_and_octets_without_the_deleted() {
    let pop3 = Pop3::with_mail().await;
    let sizes = pop3.sizes().await;
    let mut conn = pop3.login(ALICE).await;
    conn.expect("STAT", &format!("+OK 2 {}", sizes[0] + sizes[1]))
        .await;
    conn.cmd("DELE 1").await;
    conn.expect("STAT", &format!("+OK 1 {}", sizes[1])).await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "stat before login is refused",
        "STAT",
        "-ERR log in first",
    ),
    (
        Setup::Alice,
        "stat with an argument is a syntax error",
        "STAT 1",
        "-ERR syntax error: this command takes no arguments",
    ),
}
