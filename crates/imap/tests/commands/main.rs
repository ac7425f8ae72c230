//! Every IMAP command driven through a whole session in memory (`imap::run_session` on a
//! [`net::SessionStream::Memory`]), one module per command or family (UID variants beside
//! their command): the happy path and the refusals, asserting the tagged status with its
//! response code, the untagged data, and what the store holds after.

/// `cases! { (Setup::..., "what it checks", ...), ... }`: the test `cases`, which runs the
/// rows, each a [`Case`], with [`check`].
macro_rules! cases {
    ($($row:expr),* $(,)?) => {
        #[tokio::test]
        async fn cases() {
            let cases: &[crate::Case] = &[$($row),*];
            crate::check(cases).await;
        }
    };
}

mod append;
mod authenticate;
mod capability;
mod close;
mod copy;
mod create;
mod delete;
mod enable;
mod examine;
mod expunge;
mod fetch;
mod id;
mod idle;
mod list;
mod login;
mod logout;
mod lsub;
mod r#move;
mod namespace;
mod noop;
mod quota;
mod rename;
mod search;
mod select;
mod session;
mod sort;
mod starttls;
mod status;
mod store;
mod subscribe;
mod thread;
mod unselect;

use std::sync::Arc;

use imap::Kind;
use testbed::{Client, LOOPBACK, PASSWORD, REMOTE, Testbed};

/// The three messages of [`Imap::with_mail`], in INBOX order: a thread of two (the second
/// replies to the first) and an unrelated one, with subjects that sort differently from
/// their arrival.
pub const MAIL: [&str; 3] = [
    "From: Carol <carol@example.net>\r\nTo: alice@example.com\r\nSubject: Lunch\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <lunch@example.net>\r\n\r\nNoon at the usual place?\r\n",
    "From: Dave <dave@example.net>\r\nTo: alice@example.com\r\nSubject: Re: Lunch\r\nDate: Mon, 7 Dec 2026 11:00:00 +0000\r\nMessage-ID: <re-lunch@example.net>\r\nIn-Reply-To: <lunch@example.net>\r\nReferences: <lunch@example.net>\r\n\r\nYes, see you there.\r\n",
    "From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: Budget\r\nDate: Sun, 6 Dec 2026 09:00:00 +0000\r\nMessage-ID: <budget@example.com>\r\n\r\nThe numbers are attached.\r\n",
];

/// The answer to SEARCH, SORT or THREAD with a charset we cannot decode (RFC 9051 §6.4.4):
/// NO, listing those we can.
pub const BADCHARSET: &str = "NO [BADCHARSET (UTF-8 US-ASCII GB2312 GBK GB18030 BIG5 \
    ISO-2022-JP EUC-JP SHIFT_JIS EUC-KR KOI8-R KOI8-U ISO-8859-1 ISO-8859-2 ISO-8859-3 \
    ISO-8859-4 ISO-8859-5 ISO-8859-6 ISO-8859-7 ISO-8859-8 ISO-8859-9 ISO-8859-10 \
    ISO-8859-13 ISO-8859-14 ISO-8859-15 ISO-8859-16 WINDOWS-874 WINDOWS-1250 WINDOWS-1251 \
    WINDOWS-1252 WINDOWS-1253 WINDOWS-1254 WINDOWS-1255 WINDOWS-1256 WINDOWS-1257 \
    WINDOWS-1258)] unsupported charset";

/// A testbed with the IMAP context the engine would build from it.
pub struct Imap {
    pub bed: Testbed,
    ctx: Arc<imap::Context>,
}

impl Imap {
    /// Alice and Bob with the default mailboxes, empty.
    pub async fn new() -> Imap {
        let bed = Testbed::new().await;
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

    /// Alice's INBOX holds [`MAIL`].
    pub async fn with_mail() -> Imap {
        let imap = Imap::new().await;
        for message in MAIL {
            imap.bed.deliver(&[imap.bed.alice], message).await;
        }
        imap
    }

    /// A session of `kind` from `peer`, its greeting read.
    pub async fn connect(&self, kind: Kind, peer: &str) -> Conn {
        let ctx = self.ctx.clone();
        let client = self.bed.connect(peer, move |stream, peer| {
            imap::run_session(ctx, kind, stream, peer)
        });
        let mut conn = Conn { client, next: 1 };
        let greeting = conn.line().await;
        assert!(
            greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "),
            "{greeting}"
        );
        assert!(greeting.ends_with("] Postroom IMAP ready"), "{greeting}");
        conn
    }

    /// A session from loopback, logged in as `user`.
    pub async fn login(&self, user: &str) -> Conn {
        let mut conn = self.connect(Kind::Imap, LOOPBACK).await;
        let done = conn.cmd(&format!("LOGIN {user} \"{PASSWORD}\"")).await;
        assert!(done.status.starts_with("OK [CAPABILITY "), "{done:?}");
        conn
    }

    /// Logged in as Alice with `mailbox` selected.
    pub async fn select(&self, mailbox: &str) -> Conn {
        let mut conn = self.login(testbed::ALICE).await;
        conn.cmd(&format!("SELECT {mailbox}"))
            .await
            .ok_with("[READ-WRITE] SELECT completed");
        conn
    }

    /// No mail; a session from loopback, not logged in.
    pub async fn anonymous() -> (Imap, Conn) {
        let imap = Imap::new().await;
        let conn = imap.connect(Kind::Imap, LOOPBACK).await;
        (imap, conn)
    }

    /// No mail; a session from a peer on the Internet ([`REMOTE`]), not logged in.
    pub async fn remote() -> (Imap, Conn) {
        let imap = Imap::new().await;
        let conn = imap.connect(Kind::Imap, REMOTE).await;
        (imap, conn)
    }

    /// No mail; logged in as Alice.
    pub async fn alice() -> (Imap, Conn) {
        let imap = Imap::new().await;
        let conn = imap.login(testbed::ALICE).await;
        (imap, conn)
    }

    /// [`MAIL`] in Alice's INBOX; logged in as Alice, nothing selected.
    pub async fn alice_with_mail() -> (Imap, Conn) {
        let imap = Imap::with_mail().await;
        let conn = imap.login(testbed::ALICE).await;
        (imap, conn)
    }

    /// [`MAIL`] in Alice's INBOX; logged in as Alice with INBOX selected.
    pub async fn inbox() -> (Imap, Conn) {
        let imap = Imap::with_mail().await;
        let conn = imap.select("INBOX").await;
        (imap, conn)
    }

    /// Alice's `mailbox` as the store has it.
    pub async fn snapshot(&self, mailbox: &str) -> ::store::MailboxSnapshot {
        self.bed
            .store
            .mailbox_snapshot(self.bed.alice, mailbox)
            .await
            .expect("mailbox")
    }

    /// The UIDs of Alice's `mailbox`, in message-number order.
    pub async fn uids(&self, mailbox: &str) -> Vec<u32> {
        let snap = self.snapshot(mailbox).await;
        snap.messages.iter().map(|m| m.uid).collect()
    }

    /// The number of messages in Alice's `mailbox`.
    pub async fn count(&self, mailbox: &str) -> usize {
        self.snapshot(mailbox).await.messages.len()
    }
}

/// The session a [`Case`] starts from.
#[derive(Debug, Clone, Copy)]
pub enum Setup {
    /// [`Imap::anonymous`].
    Anonymous,
    /// [`Imap::remote`].
    Remote,
    /// [`Imap::alice`].
    Alice,
    /// [`Imap::alice_with_mail`].
    AliceWithMail,
    /// [`Imap::inbox`].
    Inbox,
}

/// One step of a case on a session made by a [`Setup`]: what the case checks (named in every
/// failure), the command, and the exact tagged status it gets (`OK [CODE] text`, `NO ...`, `BAD
/// ...`).
pub type Case = (Setup, &'static str, &'static str, &'static str);

/// Runs the cases in order, each on a fresh testbed and session of its own; a row with
/// the name of the row before it is the next step of that case, in the same session.
pub async fn check(cases: &[Case]) {
    testbed::run_cases(
        cases,
        |&(setup, name, _, _)| (setup, name),
        async |setup| match setup {
            Setup::Anonymous => Imap::anonymous().await,
            Setup::Remote => Imap::remote().await,
            Setup::Alice => Imap::alice().await,
            Setup::AliceWithMail => Imap::alice_with_mail().await,
            Setup::Inbox => Imap::inbox().await,
        },
        async |(_, conn): &mut (Imap, Conn), &(_, name, command, status): &Case| {
            let done = conn.cmd(command).await;
            assert_eq!(done.status, status, "{name}: {command}: {done:?}");
        },
    )
    .await;
}

/// What a command got back: the untagged lines (literals inlined) and the tagged status
/// without its tag (`OK [CODE] text`).
#[derive(Debug)]
pub struct Done {
    pub untagged: Vec<String>,
    pub status: String,
}

impl Done {
    /// Asserts the tagged status is exactly `OK {text}`.
    #[track_caller]
    pub fn ok_with(&self, text: &str) -> &Done {
        assert_eq!(self.status, format!("OK {text}"), "{self:?}");
        self
    }

    /// Asserts the tagged status is exactly `NO {text}`.
    #[track_caller]
    pub fn no_with(&self, text: &str) -> &Done {
        assert_eq!(self.status, format!("NO {text}"), "{self:?}");
        self
    }

    /// Asserts the tagged status is exactly `BAD {text}`.
    #[track_caller]
    pub fn bad_with(&self, text: &str) -> &Done {
        assert_eq!(self.status, format!("BAD {text}"), "{self:?}");
        self
    }

    /// Asserts an untagged line is exactly `* {line}`.
    #[track_caller]
    pub fn has(&self, line: &str) -> &Done {
        let want = format!("* {line}");
        assert!(
            self.untagged.contains(&want),
            "expected {want:?} in {self:?}"
        );
        self
    }

    /// The untagged lines that start with `* {prefix}`.
    pub fn lines(&self, prefix: &str) -> Vec<&str> {
        let prefix = format!("* {prefix}");
        self.untagged
            .iter()
            .filter(|l| l.starts_with(&prefix))
            .map(String::as_str)
            .collect()
    }
}

/// The client side of one IMAP session; tags are `a1`, `a2`, ...
pub struct Conn {
    pub client: Client,
    next: u32,
}

impl Conn {
    /// One response line; a literal (`{n}` at the end of a line) is read whole and inlined
    /// with the rest of its line.
    pub async fn line(&mut self) -> String {
        let mut line = self.client.line().await;
        while let Some(n) = literal_size(&line) {
            let bytes = self.client.bytes(n).await;
            line.push_str("\r\n");
            line.push_str(&String::from_utf8_lossy(&bytes));
            line.push_str(&self.client.line().await);
        }
        line
    }

    /// Sends `tag command` with a new tag; reads up to its tagged status.
    pub async fn cmd(&mut self, command: &str) -> Done {
        let tag = self.send(command).await;
        self.done(&tag).await
    }

    /// Sends `command`; asserts its tagged status is exactly `OK {text}`.
    pub async fn ok(&mut self, command: &str, text: &str) -> Done {
        self.expect(command, "OK", text).await
    }

    /// Sends `command`; asserts its tagged status is exactly `NO {text}`.
    pub async fn no(&mut self, command: &str, text: &str) -> Done {
        self.expect(command, "NO", text).await
    }

    /// Sends `command`; asserts its tagged status is exactly `BAD {text}`.
    pub async fn bad(&mut self, command: &str, text: &str) -> Done {
        self.expect(command, "BAD", text).await
    }

    async fn expect(&mut self, command: &str, status: &str, text: &str) -> Done {
        let done = self.cmd(command).await;
        assert_eq!(
            done.status,
            format!("{status} {text}"),
            "{command}: {done:?}"
        );
        done
    }

    /// Sends `tag command` with a new tag; returns the tag.
    pub async fn send(&mut self, command: &str) -> String {
        let tag = format!("a{}", self.next);
        self.next += 1;
        self.client.send(&format!("{tag} {command}")).await;
        tag
    }

    /// Reads up to the status tagged `tag`.
    pub async fn done(&mut self, tag: &str) -> Done {
        let mut untagged = Vec::new();
        loop {
            let line = self.line().await;
            if let Some(status) = line.strip_prefix(&format!("{tag} ")) {
                return Done {
                    untagged,
                    status: status.to_string(),
                };
            }
            untagged.push(line);
        }
    }

    /// APPEND of `message` to `mailbox` with a non-synchronizing literal (RFC 7888).
    pub async fn append(&mut self, mailbox: &str, flags: &str, message: &str) -> Done {
        let len = message.len();
        self.cmd(&format!(
            "APPEND {mailbox} ({flags}) {{{len}+}}\r\n{message}"
        ))
        .await
    }

    /// Whether the session closed the connection.
    pub async fn closed(&mut self) -> bool {
        self.client.closed().await
    }
}

/// `n` when `line` ends with a literal's `{n}` (or `{n+}`).
fn literal_size(line: &str) -> Option<usize> {
    let open = line.strip_suffix('}')?.rfind('{')?;
    line[open + 1..line.len() - 1]
        .trim_end_matches('+')
        .parse()
        .ok()
}
