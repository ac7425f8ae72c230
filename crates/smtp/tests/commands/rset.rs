//! RSET (RFC 5321 §4.1.1.5).

use testbed::ALICE;

use crate::Smtp;

#[tokio::test]
async fn rset_ends_the_transaction_250() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.envelope("sender@example.net", ALICE).await;
    conn.cmd("RSET").await.assert(250, "2.0.0");
    conn.cmd("DATA")
        .await
        .assert(503, "5.5.1")
        .says("Need MAIL");
    // A new transaction may start.
    conn.cmd("MAIL FROM:<other@example.net>")
        .await
        .assert(250, "2.1.0");
}

#[tokio::test]
async fn rset_with_an_argument_is_refused_501_and_keeps_the_transaction() {
    let smtp = Smtp::new().await;
    let mut conn = smtp.mx().await;
    conn.ok("MAIL FROM:<sender@example.net>").await;
    conn.cmd("RSET all").await.assert(501, "5.5.4");
    conn.cmd(&format!("RCPT TO:<{ALICE}>"))
        .await
        .assert(250, "2.1.5");
}
