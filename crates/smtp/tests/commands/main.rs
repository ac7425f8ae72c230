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
use testbed::{Client, Sessions, Testbed};

testbed::transcripts!(crate::Smtp:
    auth, bdat, data, ehlo, etrn, expn, helo, help, mail, noop, quit, rcpt, rset, session,
    starttls, vrfy,
);

/// SMTP sessions on a testbed, as the engine runs them.
pub struct Smtp;

impl testbed::Protocol for Smtp {
    const GREETING: &'static str = "220 mail.example.com ESMTP Postroom";

    /// The port is the setup's first word: `mx` (25), `submission` (587), `submissions` (465).
    fn sessions(bed: &Testbed) -> Sessions {
        let budget = bed.budget.clone();
        let trust = trust::Trust::from_config(&bed.config.dns, bed.store.clone());
        let ctx = Arc::new(testbed::context!(bed, smtp::Context { budget, trust }));
        Box::new(move |setup, stream, peer| {
            let kind = match setup.split(' ').next() {
                Some("mx") => Kind::Mx,
                Some("submission") => Kind::Submission,
                Some("submissions") => Kind::Submissions,
                _ => panic!("unknown SMTP port in setup {setup:?}"),
            };
            Box::pin(smtp::run_session(ctx.clone(), kind, stream, peer))
        })
    }

    /// After the port (and `remote` for a peer on the Internet): `greeted` stops after the
    /// greeting, else `EHLO client.example.net` follows, and with `alice` AUTH as Alice.
    async fn setup(client: &mut Client, setup: &str) {
        let words: Vec<&str> = setup.split(' ').skip(1).collect();
        if let Some(unknown) = words
            .iter()
            .find(|w| !["remote", "greeted", "alice"].contains(w))
        {
            panic!("unknown SMTP setup word {unknown:?} in {setup:?}");
        }
        if words.contains(&"greeted") {
            return;
        }
        client.send("EHLO client.example.net").await;
        // RFC 5321 §4.2.1: `250-` until the last line, `250 `.
        while client.line().await.starts_with("250-") {}
        if words.contains(&"alice") {
            let plain = testbed::plain(testbed::ALICE, testbed::PASSWORD);
            client.send(&format!("AUTH PLAIN {plain}")).await;
            assert_eq!(client.line().await, "235 2.7.0 Authentication successful");
        }
    }
}
