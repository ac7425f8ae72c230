//! VRFY (RFC 5321 §3.5.3, §4.1.1.6): never tells which users exist.

use testbed::ALICE;

use crate::{Setup, Smtp};

#[tokio::test]
async fn vrfy_answers_252_for_existing_and_unknown_users_alike() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    let known = conn.cmd(&format!("VRFY {ALICE}")).await;
    known.assert(252, "2.5.2").says("Cannot VRFY user");
    let unknown = conn.cmd("VRFY nobody@example.com").await;
    assert_eq!(known.lines, unknown.lines);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "vrfy without an argument is refused 501",
        "VRFY",
        501,
        "5.5.4",
        "missing argument",
    ),
}
