//! LOGOUT (RFC 9051 §6.1.3).

use crate::Imap;

#[tokio::test]
async fn logout_says_bye_then_ok_and_closes() {
    let (_imap, mut conn) = Imap::alice().await;
    let done = conn.cmd("LOGOUT").await;
    done.ok_with("LOGOUT completed").has("BYE logging out");
    assert!(conn.closed().await);
}

#[tokio::test]
async fn logout_with_an_argument_is_bad_and_the_session_goes_on() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad_any("LOGOUT now").await;
    conn.ok("NOOP", "NOOP completed").await;
}
