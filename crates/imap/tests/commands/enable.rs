//! ENABLE (RFC 5161, RFC 9051 §6.3.1).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn enable_answers_what_it_enabled_and_ignores_the_unknown() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("ENABLE CONDSTORE X-UNKNOWN")
        .await
        .ok_with("ENABLE completed")
        .has("ENABLED CONDSTORE");
    conn.cmd("ENABLE X-UNKNOWN").await.has("ENABLED");
}

#[tokio::test]
async fn enable_qresync_makes_select_accept_the_qresync_parameter() {
    let imap = Imap::with_mail().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("ENABLE QRESYNC").await.has("ENABLED QRESYNC");
    let select = conn.cmd("SELECT INBOX").await;
    let validity = select.lines("OK [UIDVALIDITY ")[0]
        .trim_start_matches("* OK [UIDVALIDITY ")
        .split(']')
        .next()
        .expect("uidvalidity")
        .to_string();
    conn.cmd(&format!("SELECT INBOX (QRESYNC ({validity} 1))"))
        .await
        .ok_with("[READ-WRITE] SELECT completed")
        .has("OK [CLOSED] previous mailbox closed");
}

#[tokio::test]
async fn enable_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("ENABLE CONDSTORE")
        .await
        .bad_with("ENABLE log in first");
}
