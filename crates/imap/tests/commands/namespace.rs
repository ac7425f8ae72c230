//! NAMESPACE (RFC 2342, RFC 9051 §6.3.10).

use imap::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Imap;

#[tokio::test]
async fn namespace_is_one_personal_namespace_with_slash() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd("NAMESPACE")
        .await
        .ok_with("NAMESPACE completed")
        .has("NAMESPACE ((\"\" \"/\")) NIL NIL");
}

#[tokio::test]
async fn namespace_before_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd("NAMESPACE")
        .await
        .bad_with("NAMESPACE log in first");
}
