//! EXPN (RFC 5321 §3.5.2, §4.1.1.7): list expansion is refused.

use crate::{Setup, Smtp};

#[tokio::test]
async fn expn_of_a_list_is_refused_502_without_members() {
    let smtp = Smtp::new().await;
    smtp.bed
        .store
        .add_alias(
            "team@example.com",
            &["alice@example.com".into(), "bob@example.com".into()],
        )
        .await
        .expect("alias");
    let mut conn = smtp.mx().await;
    let reply = conn.cmd("EXPN team@example.com").await;
    reply.assert(502, "5.5.1").says("EXPN is not available");
    assert!(!reply.lines.iter().any(|l| l.contains("alice")));
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "expn without an argument is refused 501",
        "EXPN",
        501,
        "5.5.4",
        "",
    ),
}
