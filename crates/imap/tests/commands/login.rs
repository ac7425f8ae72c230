//! LOGIN (RFC 9051 §6.2.3).

use testbed::{ALICE, PASSWORD};

use crate::{Imap, Setup};

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

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "login with a wrong password is no authenticationfailed",
        "LOGIN alice@example.com wrong",
        "NO [AUTHENTICATIONFAILED] invalid user name or password",
    ),
    (
        Setup::Anonymous,
        "login with a wrong password is no authenticationfailed",
        "SELECT INBOX",
        "BAD SELECT log in first",
    ),
    (
        Setup::Anonymous,
        "login without a password is bad",
        "LOGIN alice@example.com",
        "BAD syntax error: a space was expected",
    ),
}
