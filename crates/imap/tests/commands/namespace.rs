//! NAMESPACE (RFC 2342, RFC 9051 §6.3.10).

use crate::{Case, Imap, Setup};

#[tokio::test]
async fn namespace_is_one_personal_namespace_with_slash() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("NAMESPACE", "NAMESPACE completed")
        .await
        .has("NAMESPACE ((\"\" \"/\")) NIL NIL");
}

/// Each case starts from a fresh session of its own.
const CASES: &[Case] = &[(
    Setup::Anonymous,
    "namespace before login is bad",
    "NAMESPACE",
    "BAD NAMESPACE log in first",
)];

#[tokio::test]
async fn cases() {
    crate::check(CASES).await;
}
