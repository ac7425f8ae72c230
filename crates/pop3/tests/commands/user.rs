//! USER (RFC 1939 §7).

use crate::{Pop3, Setup};

#[tokio::test]
async fn user_of_an_unknown_name_does_not_tell_it_is_unknown() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    // RFC 1939 §13: PASS decides.
    conn.expect("USER nobody@example.com", "+OK send PASS")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "user without a name is a syntax error",
        "USER",
        "-ERR syntax error: USER needs one name",
    ),
    (
        Setup::Anonymous,
        "user from loopback asks for the password",
        "USER alice@example.com",
        "+OK send PASS",
    ),
    (
        Setup::Remote,
        "user without tls from a remote address is refused auth",
        "USER alice@example.com",
        "-ERR [AUTH] plaintext login is not allowed without TLS; use STLS first",
    ),
    (
        Setup::Alice,
        "user after login is refused",
        "USER alice@example.com",
        "-ERR not allowed after login",
    ),
}
