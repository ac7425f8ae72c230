//! Every POP3 command driven through a whole session in memory (`pop3::run_session` on a
//! [`net::SessionStream::Memory`]): one transcript per command, `<command>.txt` in this
//! folder, in the format of [`testbed::transcript`]: the happy path and the refusals, each
//! exact status line, and what the store holds after. What a transcript cannot say stays in
//! Rust beside it (`dele.rs`).

mod dele;

use std::sync::Arc;

use pop3::Kind;
use testbed::{ALICE, Client, LOOPBACK, PASSWORD, REMOTE, Testbed, message};

testbed::transcripts!(crate::Pop3:
    apop, auth, capa, dele, list, noop, pass, quit, retr, rset, session, stat, stls, top, uidl,
    user, utf8,
);

/// A testbed with the POP3 context the engine would build from it.
pub struct Pop3 {
    pub bed: Testbed,
    ctx: Arc<pop3::Context>,
}

impl testbed::Protocol for Pop3 {
    async fn with_config(toml: &str) -> Pop3 {
        let bed = Testbed::with_config(toml).await;
        let ctx = Arc::new(pop3::Context {
            config: bed.config.clone(),
            store: bed.store.clone(),
            tls: bed.tls.clone(),
            shutdown: bed.shutdown.clone(),
            lockout: bed.lockout.clone(),
            maildrops: pop3::Maildrops::default(),
        });
        Pop3 { bed, ctx }
    }

    fn bed(&self) -> &Testbed {
        &self.bed
    }

    /// `anonymous` (from loopback) or `remote` ([`REMOTE`]), not logged in; `alice`: logged in
    /// as Alice with USER and PASS.
    async fn open(&self, setup: &str) -> Client {
        let peer = if setup == "remote" { REMOTE } else { LOOPBACK };
        let ctx = self.ctx.clone();
        let mut client = self.bed.connect(peer, move |stream, peer| {
            pop3::run_session(ctx, Kind::Pop3, stream, peer)
        });
        assert_eq!(
            client.line().await,
            "+OK mail.example.com POP3 Postroom ready"
        );
        match setup {
            "anonymous" | "remote" => {}
            "alice" => assert!(login(&mut client).await, "the setup's login"),
            other => panic!("unknown POP3 setup {other:?}"),
        }
        client
    }

    /// Two messages, `first` then `second`; the first has a line that starts with a dot.
    fn mail(&self) -> Vec<String> {
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
