//! Every IMAP command driven through a whole session in memory (`imap::run_session` on a
//! [`net::SessionStream::Memory`]): one transcript per command or family (UID variants beside
//! their command), `<command>.txt` in this folder, in the format of [`testbed::transcript`]:
//! the happy path and the refusals, each tagged status with its response code, the untagged
//! data, and what the store holds after.

use std::sync::Arc;

use imap::{Kind, run_session};
use testbed::{ALICE, Client, PASSWORD, Sessions, Testbed};

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

/// IMAP sessions on a testbed, as the engine runs them.
pub struct Imap;

impl testbed::Protocol for Imap {
    const GREETING: &'static str = "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 <*>] Postroom IMAP ready";

    fn sessions(bed: &Testbed) -> Sessions {
        let budget = bed.budget.clone();
        let ctx = Arc::new(testbed::context!(bed, imap::Context { budget }));
        Box::new(move |_, stream, peer| {
            Box::pin(run_session(ctx.clone(), Kind::Imap, stream, peer))
        })
    }

    /// `anonymous` (from loopback) or `remote`: not logged in; `alice`: logged in as Alice
    /// with LOGIN; `inbox`: `alice` with INBOX selected. The setup's tags are `s0`, `s1`.
    async fn setup(client: &mut Client, setup: &str) {
        let login = format!("LOGIN {ALICE} \"{PASSWORD}\"");
        let steps = match setup {
            "anonymous" | "remote" => vec![],
            "alice" => vec![(login, "OK [CAPABILITY ")],
            "inbox" => vec![
                (login, "OK [CAPABILITY "),
                ("SELECT INBOX".into(), "OK [READ-WRITE] SELECT completed"),
            ],
            other => panic!("unknown IMAP setup {other:?}"),
        };
        for (tag, (command, status)) in steps.iter().enumerate() {
            client.send(&format!("s{tag} {command}")).await;
            let done = loop {
                let line = client.line().await;
                if line.starts_with(&format!("s{tag} ")) {
                    break line;
                }
            };
            assert!(done.starts_with(&format!("s{tag} {status}")), "{done}");
        }
    }

    fn mail() -> Vec<String> {
        MAIL.map(String::from).to_vec()
    }
}
