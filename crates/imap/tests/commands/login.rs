//! LOGIN (RFC 9051 §6.2.3).

use testbed::{ALICE, PASSWORD};

use crate::Imap;

#[tokio::test]
async fn login_from_loopback_succeeds_with_the_new_capabilities() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn.cmd(&format!("LOGIN {ALICE} \"{PASSWORD}\"")).await;
    assert!(
        done.status
            .starts_with("OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+"),
        "{done:?}"
    );
    assert!(done.status.ends_with("] logged in"), "{done:?}");
    conn.ok("SELECT INBOX", "[READ-WRITE] SELECT completed")
        .await;
}

#[tokio::test]
async fn login_with_a_wrong_password_is_no_authenticationfailed() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.no(
        &format!("LOGIN {ALICE} wrong"),
        "[AUTHENTICATIONFAILED] invalid user name or password",
    )
    .await;
    conn.bad("SELECT INBOX", "SELECT log in first").await;
}

#[tokio::test]
async fn login_without_tls_from_a_remote_address_is_no_privacyrequired() {
    let (_imap, mut conn) = Imap::remote().await;
    conn.no(
        &format!("LOGIN {ALICE} \"{PASSWORD}\""),
        "[PRIVACYREQUIRED] use STARTTLS before logging in",
    )
    .await;
}

#[tokio::test]
async fn a_second_login_is_bad() {
    let (_imap, mut conn) = Imap::alice().await;
    conn.bad(
        &format!("LOGIN {ALICE} \"{PASSWORD}\""),
        "LOGIN already logged in",
    )
    .await;
}

#[tokio::test]
async fn login_without_a_password_is_bad() {
    let (_imap, mut conn) = Imap::anonymous().await;
    conn.bad_any(&format!("LOGIN {ALICE}")).await;
}
