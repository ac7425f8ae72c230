//! STARTTLS (RFC 9051 §6.2.1).

use testbed::{ALICE, PASSWORD};

use crate::{Imap, Setup};

#[tokio::test]
async fn starttls_upgrades_and_then_a_remote_client_may_log_in() {
    let (_imap, mut conn) = Imap::remote().await;
    conn.ok("STARTTLS", "Begin TLS negotiation now").await;
    conn.client.start_tls().await;
    let caps = conn.cmd("CAPABILITY").await;
    let caps = caps.lines("CAPABILITY ")[0];
    assert!(
        caps.contains("AUTH=PLAIN") && !caps.contains("STARTTLS"),
        "{caps}"
    );
    let done = conn.cmd(&format!("LOGIN {ALICE} \"{PASSWORD}\"")).await;
    assert!(done.status.starts_with("OK [CAPABILITY "), "{done:?}");
}

#[tokio::test]
async fn commands_pipelined_behind_starttls_are_discarded() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.client
        .send_raw(format!("a1 STARTTLS\r\na2 LOGIN {ALICE} \"{PASSWORD}\"\r\n").as_bytes())
        .await;
    assert_eq!(conn.line().await, "a1 OK Begin TLS negotiation now");
    conn.client.start_tls().await;
    // The LOGIN sent in the clear never ran: the session is not logged in.
    conn.bad("SELECT INBOX", "SELECT log in first").await;
}

#[tokio::test]
async fn starttls_inside_tls_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.cmd("STARTTLS").await;
    conn.client.start_tls().await;
    conn.bad("STARTTLS", "TLS is already active").await;
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Alice,
        "starttls after login is bad",
        "STARTTLS",
        "BAD STARTTLS already logged in",
    ),
}
