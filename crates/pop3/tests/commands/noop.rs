//! NOOP (RFC 1939 §5).

use crate::{Case, Setup};

/// Each case starts from a fresh session of its own.
const CASES: &[Case] = &[
    (Setup::Alice, "noop after login answers ok", "NOOP", "+OK"),
    (
        Setup::Anonymous,
        "noop before login is refused",
        "NOOP",
        "-ERR log in first",
    ),
    (
        Setup::Alice,
        "noop with an argument is a syntax error",
        "NOOP now",
        "-ERR syntax error: this command takes no arguments",
    ),
];

#[tokio::test]
async fn cases() {
    crate::check(CASES).await;
}
