//! ENABLE (RFC 5161, RFC 9051 §6.3.1).

use crate::{Imap, Setup};

#[tokio::test]
async fn enable_answers_what_it_enabled_and_ignores_the_unknown() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("ENABLE CONDSTORE X-UNKNOWN", "ENABLE completed")
        .await
        .has("ENABLED CONDSTORE");
    conn.cmd("ENABLE X-UNKNOWN").await.has("ENABLED");
}

#[tokio::test]
async fn enable_qresync_makes_select_accept_the_qresync_parameter() {
    let (_imap, mut conn) = Imap::alice_with_mail().await;
    conn.cmd("ENABLE QRESYNC").await.has("ENABLED QRESYNC");
    let select = conn.cmd("SELECT INBOX").await;
    let validity = select.lines("OK [UIDVALIDITY ")[0]
        .trim_start_matches("* OK [UIDVALIDITY ")
        .split(']')
        .next()
        .expect("uidvalidity")
        .to_string();
    conn.ok(
        &format!("SELECT INBOX (QRESYNC ({validity} 1))"),
        "[READ-WRITE] SELECT completed",
    )
    .await
    .has("OK [CLOSED] previous mailbox closed");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "enable before login is bad",
        "ENABLE CONDSTORE",
        "BAD ENABLE log in first",
    ),
}
