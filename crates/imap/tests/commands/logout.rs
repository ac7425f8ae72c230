//! LOGOUT (RFC 9051 §6.1.3).

use crate::{Imap, Setup};

#[tokio::test]
async fn logout_says_bye_then_ok_and_closes() {
    let (_imap, mut conn) = Imap::alice().await;
    let done = conn.cmd("LOGOUT").await;
    done.ok_with("LOGOUT completed").has("BYE logging out");
    assert!(conn.closed().await);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "logout with an argument is bad and the session goes on",
        "LOGOUT now",
        "BAD syntax error: unexpected characters at the end of the command",
    ),
    (
        Setup::Anonymous,
        "logout with an argument is bad and the session goes on",
        "NOOP",
        "OK NOOP completed",
    ),
}
