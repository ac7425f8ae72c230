//! NOOP (RFC 1939 §5).

use crate::Setup;

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
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
}
