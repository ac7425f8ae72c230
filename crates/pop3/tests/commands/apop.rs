//! APOP (RFC 1939 §7) is not offered: it needs the password stored in the clear.

use crate::{Pop3, Setup};

#[tokio::test]
async fn apop_is_refused_with_the_alternatives() {
    let (_pop3, mut conn) = Pop3::anonymous().await;
    conn.expect(
        "APOP alice@example.com c4c9334bac560ecc979e58001b3e22fb",
        "-ERR APOP is not supported; use USER and PASS, or AUTH",
    )
    .await;
    // The greeting carries no APOP timestamp either (RFC 1939 §7).
    let capa = conn.multi("CAPA").await.1;
    assert!(!capa.iter().any(|l| l.contains("APOP")), "{capa:?}");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "apop after login is refused",
        "APOP x y",
        "-ERR not allowed after login",
    ),
}
