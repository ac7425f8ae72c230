//! Every SMTP command driven through a whole session in memory (`smtp::run_session` on a
//! [`net::SessionStream::Memory`]), one module per command: the happy path and the refusals,
//! each asserting the reply code, the enhanced status code and what the store holds after.

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

mod auth;
mod bdat;
mod data;
mod ehlo;
mod etrn;
mod expn;
mod helo;
mod help;
mod mail;
mod noop;
mod quit;
mod rcpt;
mod rset;
mod session;
mod starttls;
mod vrfy;

use std::sync::Arc;

use smtp::Kind;
use testbed::{Client, LOOPBACK, PASSWORD, Testbed, plain};

/// A testbed with the SMTP context the engine would build from it.
pub struct Smtp {
    pub bed: Testbed,
    ctx: Arc<smtp::Context>,
}

impl Smtp {
    pub async fn new() -> Smtp {
        Smtp::with_config("").await
    }

    pub async fn with_config(toml: &str) -> Smtp {
        let bed = Testbed::with_config(toml).await;
        let ctx = Arc::new(smtp::Context {
            config: bed.config.clone(),
            store: bed.store.clone(),
            tls: bed.tls.clone(),
            shutdown: bed.shutdown.clone(),
            lockout: bed.lockout.clone(),
            budget: bed.budget.clone(),
            trust: trust::Trust::from_config(&bed.config.dns, bed.store.clone()),
        });
        Smtp { bed, ctx }
    }

    /// The default configuration; an MX session from loopback after EHLO.
    pub async fn mx_session() -> (Smtp, Conn) {
        let smtp = Smtp::new().await;
        let conn = smtp.mx().await;
        (smtp, conn)
    }

    /// The default configuration; an MX session from loopback, greeted, before EHLO.
    pub async fn greeted() -> (Smtp, Conn) {
        let smtp = Smtp::new().await;
        let conn = smtp.connect(Kind::Mx, LOOPBACK).await;
        (smtp, conn)
    }

    /// The default configuration; a submissions (465) session from loopback after EHLO,
    /// not authenticated.
    pub async fn submissions_session() -> (Smtp, Conn) {
        let (smtp, mut conn) = Smtp::submissions_greeted().await;
        conn.ok("EHLO client.example.net").await;
        (smtp, conn)
    }

    /// The default configuration; a submissions (465) session from loopback, before EHLO.
    pub async fn submissions_greeted() -> (Smtp, Conn) {
        let smtp = Smtp::new().await;
        let conn = smtp.connect(Kind::Submissions, LOOPBACK).await;
        (smtp, conn)
    }

    /// A session of `kind` from `peer`, its 220 greeting read.
    pub async fn connect(&self, kind: Kind, peer: &str) -> Conn {
        let ctx = self.ctx.clone();
        let client = self.bed.connect(peer, move |stream, peer| {
            smtp::run_session(ctx, kind, stream, peer)
        });
        let mut conn = Conn { client };
        let greeting = conn.reply().await;
        assert_eq!(greeting.code, 220, "{greeting:?}");
        assert_eq!(greeting.text(), "mail.example.com ESMTP Postroom");
        conn
    }

    /// An MX session from loopback, after EHLO.
    pub async fn mx(&self) -> Conn {
        let mut conn = self.connect(Kind::Mx, LOOPBACK).await;
        conn.ok("EHLO client.example.net").await;
        conn
    }

    /// A submissions (465) session after EHLO and AUTH as `user`.
    pub async fn submission(&self, user: &str) -> Conn {
        let mut conn = self.connect(Kind::Submissions, LOOPBACK).await;
        conn.ok("EHLO client.example.net").await;
        let reply = conn
            .cmd(&format!("AUTH PLAIN {}", plain(user, PASSWORD)))
            .await;
        reply.assert(235, "2.7.0");
        conn
    }
}

/// The session a [`Case`] starts from.
#[derive(Debug, Clone, Copy)]
pub enum Setup {
    /// [`Smtp::mx_session`]: after EHLO.
    MxSession,
    /// [`Smtp::greeted`]: before EHLO.
    Greeted,
    /// [`Smtp::submissions_session`]: port 465 after EHLO, not authenticated.
    SubmissionsSession,
    /// [`Smtp::submissions_greeted`]: port 465 before EHLO.
    SubmissionsGreeted,
}

/// One step of a case on a session made by a [`Setup`]: what the case checks (named in every
/// failure), the command line, the reply code and enhanced status code it must get, and text
/// the reply must contain (empty: the case checks the codes only).
pub type Case = (
    Setup,
    &'static str,
    &'static str,
    u16,
    &'static str,
    &'static str,
);

/// Runs the cases in order, each on a fresh testbed and session of its own; a row with
/// the name of the row before it is the next step of that case, in the same session.
pub async fn check(cases: &[Case]) {
    testbed::run_cases(
        cases,
        |&(setup, name, ..)| (setup, name),
        async |setup| match setup {
            Setup::MxSession => Smtp::mx_session().await,
            Setup::Greeted => Smtp::greeted().await,
            Setup::SubmissionsSession => Smtp::submissions_session().await,
            Setup::SubmissionsGreeted => Smtp::submissions_greeted().await,
        },
        async |(_, conn): &mut (Smtp, Conn), &(_, name, line, code, enhanced, needle): &Case| {
            let reply = conn.cmd(line).await;
            assert_eq!(reply.code, code, "{name}: {line}: {reply:?}");
            assert!(
                reply.text().starts_with(&format!("{enhanced} ")),
                "{name}: {line}: expected {code} {enhanced}: {reply:?}"
            );
            assert!(
                reply.lines.iter().any(|l| l.contains(needle)),
                "{name}: {line}: expected {needle:?} in {reply:?}"
            );
        },
    )
    .await;
}

/// One SMTP reply: its code and the text of each line.
#[derive(Debug)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// The text of the first line.
    pub fn text(&self) -> &str {
        self.lines.first().map_or("", String::as_str)
    }

    /// Asserts the code and the enhanced status code that starts the text (RFC 2034).
    #[track_caller]
    pub fn assert(&self, code: u16, enhanced: &str) -> &Reply {
        assert_eq!(self.code, code, "{self:?}");
        assert!(
            self.text().starts_with(&format!("{enhanced} ")),
            "expected {code} {enhanced}: {self:?}"
        );
        self
    }

    /// Asserts that the text contains `needle`.
    #[track_caller]
    pub fn says(&self, needle: &str) -> &Reply {
        assert!(
            self.lines.iter().any(|l| l.contains(needle)),
            "expected {needle:?} in {self:?}"
        );
        self
    }
}

/// The client side of one SMTP session.
pub struct Conn {
    pub client: Client,
}

impl Conn {
    /// Reads one reply, all of its lines (RFC 5321 §4.2.1: `code-text` until `code text`).
    pub async fn reply(&mut self) -> Reply {
        let mut lines = Vec::new();
        loop {
            let line = self.client.line().await;
            assert!(line.len() >= 3, "short reply line {line:?}");
            let code: u16 = line[..3].parse().expect("reply code");
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line.get(4..).unwrap_or("").to_string());
            if !more {
                return Reply { code, lines };
            }
        }
    }

    /// Sends `line` and reads the reply.
    pub async fn cmd(&mut self, line: &str) -> Reply {
        self.client.send(line).await;
        self.reply().await
    }

    /// Sends `line`; asserts the reply's code and enhanced status code.
    pub async fn expect(&mut self, line: &str, code: u16, enhanced: &str) -> Reply {
        let reply = self.cmd(line).await;
        reply.assert(code, enhanced);
        reply
    }

    /// Sends `line`; asserts the reply's code, enhanced status code and that its text
    /// contains `needle`.
    pub async fn expect_says(
        &mut self,
        line: &str,
        code: u16,
        enhanced: &str,
        needle: &str,
    ) -> Reply {
        let reply = self.expect(line, code, enhanced).await;
        reply.says(needle);
        reply
    }

    /// Sends `line`; the reply must be a 250.
    pub async fn ok(&mut self, line: &str) -> Reply {
        let reply = self.cmd(line).await;
        assert_eq!(reply.code, 250, "{line}: {reply:?}");
        reply
    }

    /// MAIL FROM and one RCPT TO, both accepted.
    pub async fn envelope(&mut self, from: &str, to: &str) {
        self.ok(&format!("MAIL FROM:<{from}>")).await;
        self.ok(&format!("RCPT TO:<{to}>")).await;
    }

    /// Whether the session closed the connection.
    pub async fn closed(&mut self) -> bool {
        self.client.closed().await
    }
}
