//! NOOP beyond its transcript (`noop.txt`): a line of 5000 octets.

use testbed::Bench;

use crate::Smtp;

#[tokio::test]
async fn noop_longer_than_the_line_limit_is_refused_500() {
    let smtp = Bench::<Smtp>::new("").await;
    let long = "x".repeat(5000);
    let text =
        format!("@ mx\nC: NOOP {long}\nS: 500 5.5.2 Line too long\nC: NOOP\nS: 250 2.0.0 OK");
    smtp.steps("noop longer than the line limit", &text).await;
}
