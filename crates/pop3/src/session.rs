//! The POP3 session: its states, reading commands with their timeouts over the shared
//! [`net::Shell`], and the one place that decides which command is allowed in which state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use net::SessionStream;
use net::session::{NextLine, Shell, Stop};
use proto::pop3::{Command, CommandError, LineSplitter, MAX_LINE, Reply, RespCode};
use store::{Account, Maildrop, MaildropMessage};

use crate::lock::MaildropLock;
use crate::{Context, Kind};
pub(crate) use net::End;

/// RFC 1939 §3: AUTHORIZATION, then TRANSACTION. UPDATE is entered only by QUIT and ends
/// the session (`op/quit.rs`), so it is not a state the session waits in.
pub(crate) enum State {
    /// `user` is the name of an accepted USER, waiting for PASS.
    Authorization {
        user: Option<String>,
    },
    Transaction(Box<Transaction>),
}

/// The maildrop of a logged-in session.
pub(crate) struct Transaction {
    pub account: Account,
    /// The INBOX at login: message n is `maildrop.messages[n - 1]` for the whole session.
    pub maildrop: Maildrop,
    /// DELE marks, by index.
    pub deleted: Vec<bool>,
    /// Small message bodies read ahead, by index (`op/retr.rs`).
    pub readahead: Vec<(usize, Vec<u8>)>,
    /// Released when the session ends, however it ends.
    _lock: MaildropLock,
}

impl Transaction {
    pub fn new(account: Account, maildrop: Maildrop, lock: MaildropLock) -> Self {
        let deleted = vec![false; maildrop.messages.len()];
        Transaction {
            account,
            maildrop,
            deleted,
            readahead: Vec::new(),
            _lock: lock,
        }
    }

    /// Message `msg` (numbered from 1) unless it does not exist or is marked deleted
    /// (RFC 1939 §5: a deleted message may not be referred to).
    pub fn message(&self, msg: u32) -> Result<MaildropMessage, Reply> {
        let index = usize::try_from(msg).ok().and_then(|n| n.checked_sub(1));
        match index.and_then(|i| self.maildrop.messages.get(i).map(|m| (i, m))) {
            None => Err(Reply::err("no such message")),
            Some((i, _)) if self.deleted[i] => {
                Err(Reply::err(format!("message {msg} already deleted")))
            }
            Some((_, m)) => Ok(*m),
        }
    }

    /// DELE: marks message `msg` (RFC 1939 §5).
    pub fn mark_deleted(&mut self, msg: u32) -> Result<(), Reply> {
        self.message(msg)?;
        if let Some(mark) = usize::try_from(msg)
            .ok()
            .and_then(|n| self.deleted.get_mut(n.wrapping_sub(1)))
        {
            *mark = true;
        }
        Ok(())
    }

    /// The UIDs of the messages marked deleted.
    pub fn marked(&self) -> Vec<u32> {
        self.maildrop
            .messages
            .iter()
            .zip(&self.deleted)
            .filter(|(_, deleted)| **deleted)
            .map(|(m, _)| m.uid)
            .collect()
    }

    /// The messages not marked deleted, with their numbers.
    pub fn live(&self) -> impl Iterator<Item = (usize, &MaildropMessage)> {
        self.maildrop
            .messages
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.deleted[*i])
            .map(|(i, m)| (i + 1, m))
    }

    /// RFC 1939 §5 STAT: how many messages and octets, not counting deleted ones.
    pub fn stat(&self) -> (usize, u64) {
        self.live()
            .fold((0, 0), |(n, octets), (_, m)| (n + 1, octets + m.size))
    }

    /// The unique-id of a message (RFC 1939 §7: 1 to 70 characters 0x21-0x7E). UIDs are
    /// never reused within a mailbox and UIDVALIDITY names the mailbox's life, so the pair
    /// never names another message.
    pub fn uidl(&self, m: &MaildropMessage) -> String {
        format!("{:x}.{}", self.maildrop.uid_validity, m.uid)
    }
}

pub(crate) struct Session {
    pub ctx: Arc<Context>,
    pub kind: Kind,
    /// The connection: buffers, flush, reads, STLS. Responses are queued in `shell.wbuf`
    /// and flushed before waiting for the client, and while a long response streams.
    pub shell: Shell,
    pub peer: SocketAddr,
    splitter: LineSplitter,
    pub state: State,
    /// RFC 6856 §2: the client sent UTF8.
    pub utf8: bool,
    pub id: String,
}

impl Session {
    pub fn new(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) -> Self {
        let shell = Shell::new(
            stream,
            idle_timeout(&ctx),
            ctx.config.limits.max_errors,
            ctx.shutdown.clone(),
        );
        Session {
            ctx,
            kind,
            shell,
            peer,
            splitter: LineSplitter::new(MAX_LINE),
            state: State::Authorization { user: None },
            utf8: false,
            id: format!("{:08X}", rand::random::<u32>()),
        }
    }

    pub fn is_tls(&self) -> bool {
        self.shell.is_tls()
    }

    /// The logged-in maildrop, if any.
    pub fn transaction(&self) -> Option<&Transaction> {
        match &self.state {
            State::Transaction(tx) => Some(tx),
            State::Authorization { .. } => None,
        }
    }

    pub fn transaction_mut(&mut self) -> Option<&mut Transaction> {
        match &mut self.state {
            State::Transaction(tx) => Some(tx),
            State::Authorization { .. } => None,
        }
    }

    pub async fn run(mut self) {
        tracing::debug!(session = %self.id, peer = %self.peer, service = self.kind.name(), tls = self.is_tls(), "connected");
        // RFC 1939 §4: the greeting. No timestamp banner: APOP is not offered.
        self.reply(Reply::ok(format!(
            "{} POP3 Postroom ready",
            self.ctx.config.hostname
        )));
        let end = self.command_loop().await;
        self.shell.close().await;
        tracing::debug!(session = %self.id, ?end, "disconnected");
    }

    async fn command_loop(&mut self) -> Result<(), End> {
        loop {
            // Every complete command already buffered is answered before reading again
            // (RFC 2449 §6.6 PIPELINING); the answers go out together.
            loop {
                let parsed = match self.shell.next_line(&mut self.splitter) {
                    NextLine::Line(line) => {
                        proto::pop3::parse_command(line).map_err(|e| command_error_reply(&e))
                    }
                    // RFC 2449 §4: a line longer than the limit is refused, not cut.
                    NextLine::TooLong => Err(Reply::err("line too long")),
                    NextLine::Incomplete => break,
                };
                match parsed {
                    Ok(command) => self.dispatch(command).await?,
                    Err(reply) => self.error(reply).await?,
                }
            }
            self.flush().await?;
            self.read_more().await?;
        }
    }

    /// The one place that decides which command is allowed in which state.
    async fn dispatch(&mut self, command: Command) -> Result<(), End> {
        let logged_in = matches!(self.state, State::Transaction(_));
        match command {
            // Any state.
            Command::Capa => self.handle_capa(),
            Command::Quit => self.handle_quit().await,
            // AUTHORIZATION (RFC 1939 §4, RFC 2595 §4, RFC 5034 §4, RFC 6856 §2).
            Command::Stls if !logged_in => self.handle_stls().await,
            Command::User(name) if !logged_in => self.handle_user(name).await,
            Command::Pass(password) if !logged_in => self.handle_pass(password).await,
            Command::Auth { mechanism, initial } if !logged_in => {
                self.handle_auth(mechanism, initial).await
            }
            Command::Utf8 if !logged_in => self.handle_utf8(),
            Command::Apop if !logged_in => {
                self.error(Reply::err(
                    "APOP is not supported; use USER and PASS, or AUTH",
                ))
                .await
            }
            // TRANSACTION (RFC 1939 §5, §7).
            Command::Stat if logged_in => self.handle_stat(),
            Command::List(msg) if logged_in => self.handle_list(msg).await,
            Command::Uidl(msg) if logged_in => self.handle_uidl(msg).await,
            Command::Retr(msg) if logged_in => self.handle_retr(msg, None).await,
            Command::Top { msg, lines } if logged_in => self.handle_retr(msg, Some(lines)).await,
            Command::Dele(msg) if logged_in => self.handle_dele(msg).await,
            Command::Rset if logged_in => self.handle_rset(),
            Command::Noop if logged_in => {
                self.reply(Reply::ok(""));
                Ok(())
            }
            _ if logged_in => self.error(Reply::err("not allowed after login")).await,
            _ => self.error(Reply::err("log in first")).await,
        }
    }

    /// Queues a response.
    pub fn reply(&mut self, reply: Reply) {
        reply.write_to(&mut self.shell.wbuf);
    }

    /// Queues an error response and counts it; past the limit the session ends.
    /// `-ERR [CODE] text` (RFC 2449 §8, RFC 3206), counted as an error like [`Session::error`].
    pub async fn refuse(&mut self, code: RespCode, text: &str) -> Result<(), End> {
        self.error(Reply::err_code(code, text)).await
    }

    /// A failure on our side while `doing` something: logged with its cause and answered
    /// `-ERR [SYS/TEMP]` (RFC 3206 §4), so that the client tries again later.
    pub async fn temp_failure(
        &mut self,
        doing: &str,
        cause: &(dyn std::fmt::Display + Sync),
        text: &str,
    ) -> Result<(), End> {
        tracing::error!(session = %self.id, error = %cause, "{doing} failed");
        self.refuse(RespCode::SysTemp, text).await
    }

    pub async fn error(&mut self, reply: Reply) -> Result<(), End> {
        self.reply(reply);
        if self.shell.count_error() {
            tracing::info!(session = %self.id, peer = %self.peer, "too many errors");
            self.reply(Reply::err("too many errors, closing connection"));
            let _ = self.flush().await;
            return Err(End::Aborted);
        }
        Ok(())
    }

    /// Sends what is queued.
    pub async fn flush(&mut self) -> Result<(), End> {
        self.shell.flush().await
    }

    /// Reads more input. A silent client is disconnected without a response and without
    /// entering UPDATE (RFC 1939 §3); at shutdown an idle client is told why.
    pub async fn read_more(&mut self) -> Result<(), End> {
        match self.shell.read(idle_timeout(&self.ctx)).await {
            Ok(_) => Ok(()),
            Err(stop) => Err(self.stopped(stop).await),
        }
    }

    /// Answers why no input came, and ends the session.
    async fn stopped(&mut self, stop: Stop) -> End {
        match stop {
            Stop::Shutdown => {
                self.reply(Reply::err_code(RespCode::SysTemp, "server shutting down"));
                let _ = self.flush().await;
            }
            Stop::TimedOut => {
                tracing::info!(session = %self.id, peer = %self.peer, "idle timeout");
            }
            Stop::Closed | Stop::Failed(_) => {}
        }
        stop.end(&self.id)
    }

    /// Reads one line of a SASL exchange; `None` when it was too long.
    pub async fn read_line(&mut self) -> Result<Option<String>, End> {
        let timeout = idle_timeout(&self.ctx);
        match self.shell.read_line(&mut self.splitter, timeout).await {
            Ok(line) => Ok(line),
            Err(stop) => Err(self.stopped(stop).await),
        }
    }

    /// Throws away all buffered input (RFC 2595 §4, command injection) and swaps the stream
    /// for its TLS upgrade.
    pub async fn start_tls(&mut self) -> Result<(), End> {
        self.splitter = LineSplitter::new(MAX_LINE);
        self.shell
            .start_tls(&self.ctx.tls, &self.id, self.peer, "STLS")
            .await
    }
}

/// How long the client may stay silent (RFC 1939 §3: at least 10 minutes), and how long a
/// write may stall.
fn idle_timeout(ctx: &Context) -> Duration {
    Duration::from_secs(ctx.config.limits.pop3_idle_timeout_secs)
}

/// The response to a line that does not parse.
fn command_error_reply(e: &CommandError) -> Reply {
    match e {
        CommandError::Unknown => Reply::err("unknown command"),
        CommandError::Syntax(why) => Reply::err(format!("syntax error: {why}")),
        _ => Reply::err("syntax error"),
    }
}
