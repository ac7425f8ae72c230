//! RSET (RFC 5321 §4.1.1.5).

use testbed::ALICE;

use crate::{Setup, Smtp};

#[tokio::test]
async fn rset_ends_the_transaction_250() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.expect("RSET", 250, "2.0.0").await;
    conn.expect_says("DATA", 503, "5.5.1", "Need MAIL").await;
    // A new transaction may start.
    conn.expect("MAIL FROM:<other@example.net>", 250, "2.1.0")
        .await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "rset with an argument is refused 501 and keeps the transaction",
        "MAIL FROM:<sender@example.net>",
        250,
        "2.1.0",
        "",
    ),
    (
        Setup::MxSession,
        "rset with an argument is refused 501 and keeps the transaction",
        "RSET all",
        501,
        "5.5.4",
        "",
    ),
    (
        Setup::MxSession,
        "rset with an argument is refused 501 and keeps the transaction",
        "RCPT TO:<alice@example.com>",
        250,
        "2.1.5",
        "",
    ),
}
