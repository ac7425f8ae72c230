//! ETRN (RFC 1985). The once-a-minute memory is shared by the whole process, so each test
//! asks for its own node.

use smtp::Kind;
use testbed::{LOOPBACK, REMOTE};

use crate::Smtp;

const TRUSTED: &str = "[relay]\nnetworks = [\"127.0.0.0/8\"]\n";

#[tokio::test]
async fn etrn_from_a_trusted_network_starts_the_queue_250() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.mx().await;
    conn.expect_says(
        "ETRN office.example.org",
        250,
        "2.0.0",
        "queuing for node office.example.org started",
    )
    .await;
}

#[tokio::test]
async fn etrn_twice_within_a_minute_is_refused_458() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.mx().await;
    conn.expect("ETRN @twice.example.org", 250, "2.0.0").await;
    conn.expect_says(
        "ETRN @twice.example.org",
        458,
        "4.7.0",
        "less than a minute ago",
    )
    .await;
}

#[tokio::test]
async fn etrn_from_a_stranger_is_refused_459() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.connect(Kind::Mx, REMOTE).await;
    conn.ok("EHLO stranger.example.net").await;
    conn.expect_says("ETRN stranger.example.org", 459, "4.7.1", "not allowed")
        .await;
}

#[tokio::test]
async fn etrn_on_the_submission_port_is_refused_502() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    conn.expect("ETRN submission.example.org", 502, "5.5.1")
        .await;
}

#[tokio::test]
async fn etrn_before_helo_is_refused_503() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.expect("ETRN early.example.org", 503, "5.5.1").await;
}

#[tokio::test]
async fn etrn_of_a_malformed_node_is_refused_501() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.mx().await;
    conn.expect("ETRN bad..example", 501, "5.5.4").await;
    conn.expect("ETRN #queue", 459, "4.7.1").await;
}
