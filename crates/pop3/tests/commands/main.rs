//! Every POP3 command driven through a whole session in memory (`pop3::run_session` on a
//! [`net::SessionStream::Memory`]), one module per command: the happy path and the refusals,
//! each asserting the exact status line and what the store holds after.

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

mod apop;
mod auth;
mod capa;
mod dele;
mod list;
mod noop;
mod pass;
mod quit;
mod retr;
mod rset;
mod session;
mod stat;
mod stls;
mod top;
mod uidl;
mod user;
mod utf8;

use std::sync::Arc;

use pop3::Kind;
use testbed::{Client, LOOPBACK, PASSWORD, REMOTE, Testbed, message};

/// The two messages in Alice's INBOX of [`Pop3::with_mail`].
pub const FIRST: &str = "first";
pub const SECOND: &str = "second";

/// A testbed with the POP3 context the engine would build from it.
pub struct Pop3 {
    pub bed: Testbed,
    ctx: Arc<pop3::Context>,
}

impl Pop3 {
    /// No mail yet.
    pub async fn new() -> Pop3 {
        let bed = Testbed::new().await;
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

    /// Alice has two messages, [`FIRST`] then [`SECOND`]; the first has a dot-stuffed line.
    pub async fn with_mail() -> Pop3 {
        let pop3 = Pop3::new().await;
        let alice = pop3.bed.alice;
        pop3.bed
            .deliver(
                &[alice],
                &message("a@example.net", FIRST, "one\r\n.leading dot\r\nthree"),
            )
            .await;
        pop3.bed
            .deliver(&[alice], &message("b@example.net", SECOND, "two"))
            .await;
        pop3
    }

    /// No mail; a session from loopback, not logged in.
    pub async fn anonymous() -> (Pop3, Conn) {
        let pop3 = Pop3::new().await;
        let conn = pop3.connect(Kind::Pop3, LOOPBACK).await;
        (pop3, conn)
    }

    /// No mail; a session from a peer on the Internet ([`REMOTE`]), not logged in.
    pub async fn remote() -> (Pop3, Conn) {
        let pop3 = Pop3::new().await;
        let conn = pop3.connect(Kind::Pop3, REMOTE).await;
        (pop3, conn)
    }

    /// No mail; logged in as Alice.
    pub async fn alice() -> (Pop3, Conn) {
        let pop3 = Pop3::new().await;
        let conn = pop3.login(testbed::ALICE).await;
        (pop3, conn)
    }

    /// Alice has [`FIRST`] and [`SECOND`]; logged in as Alice.
    pub async fn alice_with_mail() -> (Pop3, Conn) {
        let pop3 = Pop3::with_mail().await;
        let conn = pop3.login(testbed::ALICE).await;
        (pop3, conn)
    }

    /// A session of `kind` from `peer`, its greeting read.
    pub async fn connect(&self, kind: Kind, peer: &str) -> Conn {
        let ctx = self.ctx.clone();
        let client = self.bed.connect(peer, move |stream, peer| {
            pop3::run_session(ctx, kind, stream, peer)
        });
        let mut conn = Conn { client };
        assert_eq!(
            conn.client.line().await,
            "+OK mail.example.com POP3 Postroom ready"
        );
        conn
    }

    /// A session from loopback, logged in as `user` with USER and PASS.
    pub async fn login(&self, user: &str) -> Conn {
        let mut conn = self.connect(Kind::Pop3, LOOPBACK).await;
        assert_eq!(conn.cmd(&format!("USER {user}")).await, "+OK send PASS");
        let pass = conn.cmd(&format!("PASS {PASSWORD}")).await;
        assert!(pass.starts_with("+OK maildrop has "), "{pass}");
        conn
    }

    /// The sizes of the messages in Alice's INBOX, in order.
    pub async fn sizes(&self) -> Vec<u64> {
        let drop = self
            .bed
            .store
            .maildrop(self.bed.alice)
            .await
            .expect("maildrop");
        drop.messages.iter().map(|m| m.size).collect()
    }
}

/// The session a [`Case`] starts from.
#[derive(Debug, Clone, Copy)]
pub enum Setup {
    /// [`Pop3::anonymous`].
    Anonymous,
    /// [`Pop3::remote`].
    Remote,
    /// [`Pop3::alice`].
    Alice,
    /// [`Pop3::alice_with_mail`].
    AliceWithMail,
}

/// One step of a case on a session made by a [`Setup`]: what the case checks (named in every
/// failure), the command line, and the exact status line it gets.
pub type Case = (Setup, &'static str, &'static str, &'static str);

/// Runs the cases in order, each on a fresh testbed and session of its own; a row with
/// the name of the row before it is the next step of that case, in the same session.
pub async fn check(cases: &[Case]) {
    testbed::run_cases(
        cases,
        |&(setup, name, _, _)| (setup, name),
        async |setup| match setup {
            Setup::Anonymous => Pop3::anonymous().await,
            Setup::Remote => Pop3::remote().await,
            Setup::Alice => Pop3::alice().await,
            Setup::AliceWithMail => Pop3::alice_with_mail().await,
        },
        async |(_, conn): &mut (Pop3, Conn), &(_, name, line, status): &Case| {
            assert_eq!(conn.cmd(line).await, status, "{name}: {line}");
        },
    )
    .await;
}

/// The client side of one POP3 session.
pub struct Conn {
    pub client: Client,
}

impl Conn {
    /// Sends `line`; returns the status line.
    pub async fn cmd(&mut self, line: &str) -> String {
        self.client.send(line).await;
        self.client.line().await
    }

    /// Sends `line`; asserts the status line is exactly `status`.
    pub async fn expect(&mut self, line: &str, status: &str) -> String {
        let got = self.cmd(line).await;
        assert_eq!(got, status, "{line}");
        got
    }

    /// Sends `line`; asserts the status line starts with `prefix`.
    pub async fn expect_start(&mut self, line: &str, prefix: &str) -> String {
        let got = self.cmd(line).await;
        assert!(
            got.starts_with(prefix),
            "{line}: expected {prefix:?}, got {got:?}"
        );
        got
    }

    /// Sends `line`; returns the status line and, after `+OK`, the lines of the multi-line
    /// body with the byte-stuffing undone (RFC 1939 §3).
    pub async fn multi(&mut self, line: &str) -> (String, Vec<String>) {
        let status = self.cmd(line).await;
        let mut lines = Vec::new();
        if status.starts_with("+OK") {
            loop {
                let line = self.client.line().await;
                if line == "." {
                    break;
                }
                lines.push(line.strip_prefix('.').map_or(line.clone(), str::to_string));
            }
        }
        (status, lines)
    }

    /// Whether the session closed the connection.
    pub async fn closed(&mut self) -> bool {
        self.client.closed().await
    }
}
