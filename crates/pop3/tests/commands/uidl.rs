//! UIDL (RFC 1939 §7): `{uidvalidity:x}.{uid}`, stable across sessions.

use testbed::ALICE;

use crate::{Pop3, Setup};

#[tokio::test]
async fn uidl_names_each_message_by_uidvalidity_and_uid() {
    let pop3 = Pop3::with_mail().await;
    let drop = pop3
        .bed
        .store
        .maildrop(pop3.bed.alice)
        .await
        .expect("maildrop");
    let ids: Vec<String> = drop
        .messages
        .iter()
        .map(|m| format!("{:x}.{}", drop.uid_validity, m.uid))
        .collect();
    let mut conn = pop3.login(ALICE).await;
    let (status, lines) = conn.multi("UIDL").await;
    assert!(status.starts_with("+OK 2 messages"), "{status}");
    assert_eq!(lines, [format!("1 {}", ids[0]), format!("2 {}", ids[1])]);
    conn.expect("UIDL 2", &format!("+OK 2 {}", ids[1])).await;
}

#[tokio::test]
async fn uidl_stays_the_same_after_an_earlier_message_is_deleted() {
    let (pop3, mut conn) = Pop3::alice_with_mail().await;
    let before = conn.cmd("UIDL 2").await;
    conn.cmd("DELE 1").await;
    conn.expect("QUIT", "+OK 1 messages deleted, bye").await;
    let mut conn = pop3.login(ALICE).await;
    let after = conn.cmd("UIDL 1").await;
    assert_eq!(
        before.replacen("+OK 2 ", "", 1),
        after.replacen("+OK 1 ", "", 1)
    );
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "uidl before login is refused",
        "UIDL",
        "-ERR log in first",
    ),
    (
        Setup::AliceWithMail,
        "uidl of a message that does not exist is refused",
        "UIDL 5",
        "-ERR no such message",
    ),
    (
        Setup::AliceWithMail,
        "uidl of a message that does not exist is refused",
        "UIDL 1 2",
        "-ERR syntax error: at most one message number",
    ),
}
