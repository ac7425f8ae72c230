//! UTF8 (RFC 6856 §2).

use crate::Setup;

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "utf8 before login is enabled",
        "UTF8",
        "+OK UTF8 enabled",
    ),
    (
        Setup::Alice,
        "utf8 after login is refused",
        "UTF8",
        "-ERR not allowed after login",
    ),
}
