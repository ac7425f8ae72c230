//! APOP (RFC 1939 §7) is not offered: it needs the password stored in the clear.

use pop3::Kind;
use testbed::{ALICE, LOOPBACK};

use crate::Pop3;

#[tokio::test]
async fn apop_is_refused_with_the_alternatives() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
    assert_eq!(
        conn.cmd("APOP alice@example.com c4c9334bac560ecc979e58001b3e22fb")
            .await,
        "-ERR APOP is not supported; use USER and PASS, or AUTH"
    );
    // The greeting carries no APOP timestamp either (RFC 1939 §7).
    let capa = conn.multi("CAPA").await.1;
    assert!(!capa.iter().any(|l| l.contains("APOP")), "{capa:?}");
}

#[tokio::test]
async fn apop_after_login_is_refused() {
    let pop3 = Pop3::new().await;
    let mut conn = pop3.login(ALICE).await;
    assert_eq!(conn.cmd("APOP x y").await, "-ERR not allowed after login");
}
