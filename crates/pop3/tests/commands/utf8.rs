//! UTF8 (RFC 6856 §2).

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn utf8_before_login_is_enabled() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(conn.cmd("UTF8").await, "+OK UTF8 enabled");
}

#[tokio::test]
async fn utf8_after_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("UTF8").await, "-ERR not allowed after login");
}
