//! Every POP3 command driven through a whole session in memory (`pop3::run_session` on a
//! [`net::SessionStream::Memory`]): one transcript per command, `<command>.txt` in this
//! folder, in the format of [`testbed::transcript`]: the happy path and the refusals, each
//! exact status line, and what the store holds after. What a transcript cannot say stays in
//! Rust beside it (`dele.rs`).

mod dele;

use std::sync::Arc;

use pop3::{Kind, run_session};
use testbed::{ALICE, Client, PASSWORD, Sessions, Testbed, message};

testbed::transcripts!(crate::Pop3:
    apop, auth, capa, dele, list, noop, pass, quit, retr, rset, session, stat, stls, top, uidl,
    user, utf8,
);

/// POP3 sessions on a testbed, as the engine runs them: one maildrop lock for all.
pub struct Pop3;

impl testbed::Protocol for Pop3 {
    const GREETING: &'static str = "+OK mail.example.com POP3 Postroom ready";

    fn sessions(bed: &Testbed) -> Sessions {
        let maildrops = pop3::Maildrops::default();
        let ctx = Arc::new(testbed::context!(bed, pop3::Context { maildrops }));
        Box::new(move |_, stream, peer| {
            Box::pin(run_session(ctx.clone(), Kind::Pop3, stream, peer))
        })
    }

    /// `anonymous` (from loopback) or `remote`: not logged in; `alice`: logged in as Alice
    /// with USER and PASS.
    async fn setup(client: &mut Client, setup: &str) {
        match setup {
            "anonymous" | "remote" => {}
            "alice" => assert!(login(client).await, "the setup's login"),
            other => panic!("unknown POP3 setup {other:?}"),
        }
    }

    /// Two messages, `first` then `second`; the first has a line that starts with a dot.
    fn mail() -> Vec<String> {
        vec![
            message("a@example.net", "first", "one\r\n.leading dot\r\nthree"),
            message("b@example.net", "second", "two"),
        ]
    }
}

/// USER and PASS as Alice: whether PASS was accepted (`-ERR [IN-USE]` while another session
/// holds the maildrop: false).
pub async fn login(client: &mut Client) -> bool {
    client.send(&format!("USER {ALICE}")).await;
    assert_eq!(client.line().await, "+OK send PASS");
    client.send(&format!("PASS {PASSWORD}")).await;
    let pass = client.line().await;
    if pass.starts_with("-ERR [IN-USE]") {
        return false;
    }
    assert!(pass.starts_with("+OK maildrop has "), "{pass}");
    true
}
