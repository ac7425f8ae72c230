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
    conn.cmd("ETRN office.example.org")
        .await
        .assert(250, "2.0.0")
        .says("queuing for node office.example.org started");
}

#[tokio::test]
async fn etrn_twice_within_a_minute_is_refused_458() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.mx().await;
    conn.cmd("ETRN @twice.example.org")
        .await
        .assert(250, "2.0.0");
    conn.cmd("ETRN @twice.example.org")
        .await
        .assert(458, "4.7.0")
        .says("less than a minute ago");
}

#[tokio::test]
async fn etrn_from_a_stranger_is_refused_459() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.connect(Kind::Mx, REMOTE).await;
    conn.ok("EHLO stranger.example.net").await;
    conn.cmd("ETRN stranger.example.org")
        .await
        .assert(459, "4.7.1")
        .says("not allowed");
}

#[tokio::test]
async fn etrn_on_the_submission_port_is_refused_502() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.connect(Kind::Submission, LOOPBACK).await;
    conn.ok("EHLO client.example.net").await;
    conn.cmd("ETRN submission.example.org")
        .await
        .assert(502, "5.5.1");
}

#[tokio::test]
async fn etrn_before_helo_is_refused_503() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.connect(Kind::Mx, LOOPBACK).await;
    conn.cmd("ETRN early.example.org")
        .await
        .assert(503, "5.5.1");
}

#[tokio::test]
async fn etrn_of_a_malformed_node_is_refused_501() {
    let smtp = Smtp::with_config(TRUSTED).await;
    let mut conn = smtp.mx().await;
    conn.cmd("ETRN bad..example").await.assert(501, "5.5.4");
    conn.cmd("ETRN #queue").await.assert(459, "4.7.1");
}
