//! The POP3 session: its states, buffers, reading with timeouts, and the one place that
//! decides which command is allowed in which state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use net::SessionStream;
use proto::pop3::{Command, CommandError, Line, LineSplitter, MAX_LINE, Reply};
use store::{Account, Maildrop, MaildropMessage};
use tokio::io::AsyncWriteExt;

use crate::lock::MaildropLock;
use crate::{Context, Kind};

/// Why a session stops.
#[derive(Debug)]
pub(crate) enum End {
    /// QUIT, or the client closed the connection.
    Closed,
    /// A timeout, too many errors, shutdown or an I/O error; the reply (if any) was sent.
    Aborted,
}

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
    /// `None` only while STLS swaps the stream.
    stream: Option<SessionStream>,
    pub peer: SocketAddr,
    /// Input not yet consumed is `rbuf[rpos..]`.
    rbuf: Vec<u8>,
    rpos: usize,
    /// Responses not yet sent; flushed before waiting for the client, and while a long
    /// response streams.
    pub wbuf: Vec<u8>,
    splitter: LineSplitter,
    pub state: State,
    /// RFC 6856 §2: the client sent UTF8.
    pub utf8: bool,
    errors: u32,
    pub id: String,
}

impl Session {
    pub fn new(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) -> Self {
        Session {
            ctx,
            kind,
            stream: Some(stream),
            peer,
            rbuf: Vec::with_capacity(4096),
            rpos: 0,
            wbuf: Vec::with_capacity(4096),
            splitter: LineSplitter::new(MAX_LINE),
            state: State::Authorization { user: None },
            utf8: false,
            errors: 0,
            id: format!("{:08X}", rand::random::<u32>()),
        }
    }

    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(SessionStream::is_tls)
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

    /// How long the client may stay silent (RFC 1939 §3: at least 10 minutes), and how long
    /// a write may stall.
    fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.ctx.config.limits.pop3_idle_timeout_secs)
    }

    pub async fn run(mut self) {
        tracing::debug!(session = %self.id, peer = %self.peer, service = self.kind.name(), tls = self.is_tls(), "connected");
        // RFC 1939 §4: the greeting. No timestamp banner: APOP is not offered.
        self.reply(Reply::ok(format!(
            "{} POP3 Postroom ready",
            self.ctx.config.hostname
        )));
        let end = self.command_loop().await;
        let _ = self.flush().await;
        if let Some(mut stream) = self.stream.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.shutdown()).await;
        }
        tracing::debug!(session = %self.id, ?end, "disconnected");
    }

    async fn command_loop(&mut self) -> Result<(), End> {
        loop {
            // Every complete command already buffered is answered before reading again
            // (RFC 2449 §6.6 PIPELINING); the answers go out together.
            while let Some(line) = self.next_line() {
                match line {
                    Some(line) => {
                        let result = match proto::pop3::parse_command(&line) {
                            Ok(command) => self.dispatch(command).await,
                            Err(e) => self.error(command_error_reply(&e)).await,
                        };
                        result?;
                    }
                    // RFC 2449 §4: a line longer than the limit is refused, not cut.
                    None => self.error(Reply::err("line too long")).await?,
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
        reply.write_to(&mut self.wbuf);
    }

    /// Queues an error response and counts it; past the limit the session ends.
    pub async fn error(&mut self, reply: Reply) -> Result<(), End> {
        self.reply(reply);
        self.errors += 1;
        if self.errors > self.ctx.config.limits.max_errors {
            tracing::info!(session = %self.id, peer = %self.peer, "too many errors");
            self.reply(Reply::err("too many errors, closing connection"));
            let _ = self.flush().await;
            return Err(End::Aborted);
        }
        Ok(())
    }

    /// Sends what is queued.
    pub async fn flush(&mut self) -> Result<(), End> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let timeout = self.idle_timeout();
        let Some(stream) = self.stream.as_mut() else {
            return Err(End::Aborted);
        };
        let sent = stream.send(&self.wbuf, timeout).await;
        self.wbuf.clear();
        sent.map_err(|_| End::Aborted)
    }

    /// The next buffered line: `Some(Some(line))`, `Some(None)` for a finished over-long
    /// line, `None` when no complete line is buffered.
    pub fn next_line(&mut self) -> Option<Option<Vec<u8>>> {
        loop {
            match self.splitter.next(&self.rbuf[self.rpos..]) {
                Line::Complete { line, consumed } => {
                    let line = line.to_vec();
                    self.rpos += consumed;
                    return Some(Some(line));
                }
                Line::TooLong { consumed, finished } => {
                    self.rpos += consumed;
                    if finished {
                        return Some(None);
                    }
                }
                Line::Incomplete => return None,
            }
        }
    }

    /// Reads more input. A silent client is disconnected without a response and without
    /// entering UPDATE (RFC 1939 §3); at shutdown an idle client is told why.
    pub async fn read_more(&mut self) -> Result<(), End> {
        // Drop what was consumed so the buffer never grows past one line and one read.
        self.rbuf.drain(..self.rpos);
        self.rpos = 0;
        let timeout = self.idle_timeout();
        let shutdown = self.ctx.shutdown.clone();
        let Some(stream) = self.stream.as_mut() else {
            return Err(End::Aborted);
        };
        let read = tokio::select! {
            read = tokio::time::timeout(timeout, stream.read_append(&mut self.rbuf)) => read,
            () = shutdown.cancelled() => {
                self.reply(Reply::err_code(proto::pop3::RespCode::SysTemp, "server shutting down"));
                let _ = self.flush().await;
                return Err(End::Aborted);
            }
        };
        match read {
            Ok(Ok(n)) if n > 0 => Ok(()),
            Ok(Ok(_)) => Err(End::Closed),
            Ok(Err(e)) => {
                tracing::debug!(session = %self.id, error = %e, "read failed");
                Err(End::Aborted)
            }
            Err(_elapsed) => {
                tracing::info!(session = %self.id, peer = %self.peer, "idle timeout");
                Err(End::Aborted)
            }
        }
    }

    /// Reads one line of a SASL exchange; `None` when it was too long.
    pub async fn read_line(&mut self) -> Result<Option<String>, End> {
        loop {
            if let Some(line) = self.next_line() {
                return Ok(line.map(|l| String::from_utf8_lossy(&l).into_owned()));
            }
            self.flush().await?;
            self.read_more().await?;
        }
    }

    /// Throws away all buffered input (RFC 2595 §4, command injection) and swaps the stream
    /// for its TLS upgrade.
    pub async fn start_tls(&mut self) -> Result<(), End> {
        let pipelined = self.rbuf.len() - self.rpos;
        if pipelined > 0 {
            tracing::info!(session = %self.id, peer = %self.peer, bytes = pipelined, "discarded input pipelined after STLS");
        }
        self.rbuf.clear();
        self.rpos = 0;
        self.splitter = LineSplitter::new(MAX_LINE);
        let plain = self.stream.take().ok_or(End::Aborted)?;
        let tls = plain.start_tls(&self.ctx.tls).await.map_err(|e| {
            tracing::info!(session = %self.id, peer = %self.peer, error = %e, "TLS handshake failed");
            End::Aborted
        })?;
        self.stream = Some(tls);
        Ok(())
    }
}

/// The response to a line that does not parse.
fn command_error_reply(e: &CommandError) -> Reply {
    match e {
        CommandError::Unknown => Reply::err("unknown command"),
        CommandError::Syntax(why) => Reply::err(format!("syntax error: {why}")),
        _ => Reply::err("syntax error"),
    }
}

/// Keeps client-supplied text in logs printable and short.
pub(crate) fn sanitize(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}
