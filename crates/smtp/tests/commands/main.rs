//! Every SMTP command driven through a whole session in memory (`smtp::run_session` on a
//! [`net::SessionStream::Memory`]): one transcript per command, `<command>.txt` in this
//! folder, in the format of [`testbed::transcript`]: the happy path and the refusals, each
//! exact reply with its enhanced status code, and what the store holds after. What a
//! transcript cannot say (a stored message's text, a line of 5000 octets) stays in Rust
//! beside it (`data.rs`, `bdat.rs`, `noop.rs`, `rcpt.rs`).

mod bdat;
mod data;
mod noop;
mod rcpt;

use std::sync::Arc;

use smtp::Kind;
use testbed::{Client, LOOPBACK, REMOTE, Testbed};

testbed::transcripts!(crate::Smtp:
    auth, bdat, data, ehlo, etrn, expn, helo, help, mail, noop, quit, rcpt, rset, session,
    starttls, vrfy,
);

/// A testbed with the SMTP context the engine would build from it.
pub struct Smtp {
    pub bed: Testbed,
    ctx: Arc<smtp::Context>,
}

impl testbed::Protocol for Smtp {
    async fn with_config(toml: &str) -> Smtp {
        let bed = Testbed::with_config(toml).await;
        let ctx = Arc::new(smtp::Context {
            config: bed.config.clone(),
            store: bed.store.clone(),
            tls: bed.tls.clone(),
            shutdown: bed.shutdown.clone(),
            lockout: bed.lockout.clone(),
            budget: bed.budget.clone(),
        });
        Smtp { bed, ctx }
    }

    fn bed(&self) -> &Testbed {
        &self.bed
    }

    /// Words: the port (`mx` 25, `submission` 587, `submissions` 465), then `remote` for a
    /// peer on the Internet ([`REMOTE`], else loopback), then `greeted` to stop after the
    /// greeting, else after `EHLO client.example.net`, and `alice` to AUTH as Alice after it.
    async fn open(&self, setup: &str) -> Client {
        let words: Vec<&str> = setup.split(' ').collect();
        let kind = match words[0] {
            "mx" => Kind::Mx,
            "submission" => Kind::Submission,
            "submissions" => Kind::Submissions,
            other => panic!("unknown SMTP port {other:?} in setup {setup:?}"),
        };
        let peer = if words.contains(&"remote") {
            REMOTE
        } else {
            LOOPBACK
        };
        let ctx = self.ctx.clone();
        let mut client = self.bed.connect(peer, move |stream, peer| {
            smtp::run_session(ctx, kind, stream, peer)
        });
        assert_eq!(client.line().await, "220 mail.example.com ESMTP Postroom");
        if words.contains(&"greeted") {
            return client;
        }
        client.send("EHLO client.example.net").await;
        // RFC 5321 §4.2.1: `250-` until the last line, `250 `.
        while client.line().await.starts_with("250-") {}
        if words.contains(&"alice") {
            let plain = testbed::plain(testbed::ALICE, testbed::PASSWORD);
            client.send(&format!("AUTH PLAIN {plain}")).await;
            assert_eq!(client.line().await, "235 2.7.0 Authentication successful");
        }
        client
    }

    fn mail(&self) -> Vec<String> {
        Vec::new()
    }
}
