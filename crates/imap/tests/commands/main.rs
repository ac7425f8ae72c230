//! Every IMAP command driven through a whole session in memory (`imap::run_session` on a
//! [`net::SessionStream::Memory`]): one transcript per command or family (UID variants beside
//! their command), `<command>.txt` in this folder, in the format of [`testbed::transcript`]:
//! the happy path and the refusals, each tagged status with its response code, the untagged
//! data, and what the store holds after.

use std::sync::Arc;

use imap::Kind;
use testbed::{ALICE, Client, LOOPBACK, PASSWORD, REMOTE, Testbed};

testbed::transcripts!(crate::Imap:
    append, authenticate, capability, close, copy, create, delete, enable, examine, expunge,
    fetch, id, idle, list, login, logout, lsub, r#move, namespace, noop, quota, rename, search,
    select, session, sort, starttls, status, store, subscribe, thread, unselect,
);

/// The messages of `! mail`, in INBOX order: a thread of two (the second replies to the
/// first) and an unrelated one, with subjects that sort differently from their arrival.
const MAIL: [&str; 3] = [
    "From: Carol <carol@example.net>\r\nTo: alice@example.com\r\nSubject: Lunch\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <lunch@example.net>\r\n\r\nNoon at the usual place?\r\n",
    "From: Dave <dave@example.net>\r\nTo: alice@example.com\r\nSubject: Re: Lunch\r\nDate: Mon, 7 Dec 2026 11:00:00 +0000\r\nMessage-ID: <re-lunch@example.net>\r\nIn-Reply-To: <lunch@example.net>\r\nReferences: <lunch@example.net>\r\n\r\nYes, see you there.\r\n",
    "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: Budget\r\nDate: Sun, 6 Dec 2026 09:00:00 +0000\r\nMessage-ID: <budget@example.com>\r\n\r\nThe numbers are attached.\r\n",
];

/// A testbed with the IMAP context the engine would build from it.
pub struct Imap {
    bed: Testbed,
    ctx: Arc<imap::Context>,
}

impl testbed::Protocol for Imap {
    async fn with_config(toml: &str) -> Imap {
        let bed = Testbed::with_config(toml).await;
        let ctx = Arc::new(imap::Context {
            config: bed.config.clone(),
            store: bed.store.clone(),
            tls: bed.tls.clone(),
            shutdown: bed.shutdown.clone(),
            lockout: bed.lockout.clone(),
            budget: bed.budget.clone(),
        });
        Imap { bed, ctx }
    }

    fn bed(&self) -> &Testbed {
        &self.bed
    }

    /// `anonymous` (from loopback) or `remote` ([`REMOTE`]), not logged in; `alice`: logged in
    /// as Alice with LOGIN; `inbox`: `alice` with INBOX selected.
    async fn open(&self, setup: &str) -> Client {
        let peer = if setup == "remote" { REMOTE } else { LOOPBACK };
        let ctx = self.ctx.clone();
        let mut client = self.bed.connect(peer, move |stream, peer| {
            imap::run_session(ctx, Kind::Imap, stream, peer)
        });
        let greeting = client.line().await;
        assert!(
            greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ")
                && greeting.ends_with("] Postroom IMAP ready"),
            "{greeting}"
        );
        let steps: &[(&str, &str)] = match setup {
            "anonymous" | "remote" => &[],
            "alice" => &[(LOGIN, "OK [CAPABILITY ")],
            "inbox" => &[
                (LOGIN, "OK [CAPABILITY "),
                ("SELECT INBOX", "OK [READ-WRITE] SELECT completed"),
            ],
            other => panic!("unknown IMAP setup {other:?}"),
        };
        for (tag, (command, status)) in steps.iter().enumerate() {
            let command = command
                .replace("{ALICE}", ALICE)
                .replace("{PASSWORD}", PASSWORD);
            client.send(&format!("s{tag} {command}")).await;
            let done = loop {
                let line = client.line().await;
                if line.starts_with(&format!("s{tag} ")) {
                    break line;
                }
            };
            assert!(done.starts_with(&format!("s{tag} {status}")), "{done}");
        }
        client
    }

    fn mail(&self) -> Vec<String> {
        MAIL.map(String::from).to_vec()
    }
}

/// The login of the setups.
const LOGIN: &str = "LOGIN {ALICE} \"{PASSWORD}\"";
