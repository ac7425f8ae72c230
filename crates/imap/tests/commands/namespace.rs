//! NAMESPACE (RFC 2342, RFC 9051 §6.3.10).

use crate::{Imap, Setup};

#[tokio::test]
async fn namespace_is_one_personal_namespace_with_slash() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("NAMESPACE", "NAMESPACE completed")
        .await
        .has("NAMESPACE ((\"\" \"/\")) NIL NIL");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "namespace before login is bad",
        "NAMESPACE",
        "BAD NAMESPACE log in first",
    ),
}
