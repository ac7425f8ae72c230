//! Every POP3 command driven through a whole session in memory (`pop3::run_session` on a
//! [`net::SessionStream::Memory`]): one transcript per command, `<command>.txt` in this
//! folder, in the format of [`testbed::transcript`]: the happy path and the refusals, each
//! exact status line, and what the store holds after. What a transcript cannot say stays in
//! Rust beside it (`dele.rs`).

mod dele;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use net::SessionStream;
use pop3::Kind;
use testbed::{ALICE, Client, PASSWORD, Testbed, message};

testbed::transcripts!(crate::Pop3:
    apop, auth, capa, dele, list, noop, pass, quit, retr, rset, session, stat, stls, top, uidl,
    user, utf8,
);

/// The POP3 context the engine would build on a testbed.
pub struct Pop3(Arc<pop3::Context>);

impl testbed::Protocol for Pop3 {
    const GREETING: &'static str = "+OK mail.example.com POP3 Postroom ready";

    fn new(bed: &Testbed) -> Pop3 {
        let maildrops = pop3::Maildrops::default();
        Pop3(Arc::new(testbed::context!(
            bed,
            pop3::Context { maildrops }
        )))
    }

    fn session(
        &self,
        _setup: &str,
        stream: SessionStream,
        peer: SocketAddr,
    ) -> impl Future<Output = ()> + Send + 'static {
        pop3::run_session(self.0.clone(), Kind::Pop3, stream, peer)
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
