//! LOGIN (RFC 9051 §6.2.3).

use imap::Kind;
use testbed::{ALICE, LOOPBACK, PASSWORD, REMOTE};

use crate::Imap;

#[tokio::test]
async fn login_from_loopback_succeeds_with_the_new_capabilities() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    let done = conn.cmd(&format!("LOGIN {ALICE} \"{PASSWORD}\"")).await;
    assert!(
        done.status
            .starts_with("OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+"),
        "{done:?}"
    );
    assert!(done.status.ends_with("] logged in"), "{done:?}");
    conn.cmd("SELECT INBOX")
        .await
        .ok_with("[READ-WRITE] SELECT completed");
}

#[tokio::test]
async fn login_with_a_wrong_password_is_no_authenticationfailed() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    conn.cmd(&format!("LOGIN {ALICE} wrong"))
        .await
        .no_with("[AUTHENTICATIONFAILED] invalid user name or password");
    conn.cmd("SELECT INBOX")
        .await
        .bad_with("SELECT log in first");
}

#[tokio::test]
async fn login_without_tls_from_a_remote_address_is_no_privacyrequired() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, REMOTE).await;
    conn.cmd(&format!("LOGIN {ALICE} \"{PASSWORD}\""))
        .await
        .no_with("[PRIVACYREQUIRED] use STARTTLS before logging in");
}

#[tokio::test]
async fn a_second_login_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.login(ALICE).await;
    conn.cmd(&format!("LOGIN {ALICE} \"{PASSWORD}\""))
        .await
        .bad_with("LOGIN already logged in");
}

#[tokio::test]
async fn login_without_a_password_is_bad() {
    let imap = Imap::new().await;
    let mut conn = imap.connect(Kind::Imap, LOOPBACK).await;
    assert!(
        conn.cmd(&format!("LOGIN {ALICE}"))
            .await
            .status
            .starts_with("BAD ")
    );
}
