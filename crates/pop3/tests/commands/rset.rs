//! RSET (RFC 1939 §5): unmarks every message marked deleted.

use testbed::ALICE;

use crate::{Pop3, Setup};

#[tokio::test]
async fn rset_unmarks_deleted_messages_so_quit_removes_nothing() {
    let pop3 = Pop3::with_mail().await;
    let octets: u64 = pop3.sizes().await.iter().sum();
    let mut conn = pop3.login(ALICE).await;
    conn.cmd("DELE 1").await;
    conn.cmd("DELE 2").await;
    conn.expect(
        "RSET",
        &format!("+OK maildrop has 2 messages ({octets} octets)"),
    )
    .await;
    conn.expect("QUIT", "+OK bye").await;
    assert_eq!(pop3.bed.inbox(pop3.bed.alice).await.len(), 2);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "rset before login is refused",
        "RSET",
        "-ERR log in first",
    ),
}
