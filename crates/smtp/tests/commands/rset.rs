//! RSET (RFC 5321 §4.1.1.5).

use testbed::ALICE;

use crate::Smtp;

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

#[tokio::test]
async fn rset_with_an_argument_is_refused_501_and_keeps_the_transaction() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.expect("RSET all", 501, "5.5.4").await;
    conn.expect(&format!("RCPT TO:<{ALICE}>"), 250, "2.1.5")
        .await;
}
