//! QUIT (RFC 5321 §4.1.1.10).

use crate::{Setup, Smtp};

#[tokio::test]
async fn quit_answers_221_and_closes_the_connection() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.expect_says("QUIT", 221, "2.0.0", "mail.example.com closing connection")
        .await;
    assert!(conn.closed().await);
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::MxSession,
        "quit with an argument is refused 501 and the session goes on",
        "QUIT now",
        501,
        "5.5.4",
        "",
    ),
    (
        Setup::MxSession,
        "quit with an argument is refused 501 and the session goes on",
        "NOOP",
        250,
        "2.0.0",
        "",
    ),
}
