//! UTF8 (RFC 6856 §2).

use crate::Pop3;

#[tokio::test]
async fn utf8_before_login_is_enabled() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect("UTF8", "+OK UTF8 enabled").await;
}

#[tokio::test]
async fn utf8_after_login_is_refused() {
    let (_pop3, mut conn) = Pop3::alice().await;
    conn.expect("UTF8", "-ERR not allowed after login").await;
}
