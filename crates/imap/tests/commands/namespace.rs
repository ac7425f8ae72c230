//! NAMESPACE (RFC 2342, RFC 9051 §6.3.10).

use crate::Imap;

#[tokio::test]
async fn namespace_is_one_personal_namespace_with_slash() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.ok("NAMESPACE", "NAMESPACE completed")
        .await
        .has("NAMESPACE ((\"\" \"/\")) NIL NIL");
}

#[tokio::test]
async fn namespace_before_login_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad("NAMESPACE", "NAMESPACE log in first").await;
}
