//! The SMTP session: buffers, reading with timeouts, and the one place that decides which
//! command is allowed in which state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use net::SessionStream;
use proto::smtp::{Command, CommandError, Line, LineSplitter, MailParams, Path, Reply};
use store::{Account, AccountId, RemoteRecipient};
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use crate::{Context, Kind};

/// Why a session stops.
#[derive(Debug)]
pub(crate) enum End {
    /// The client closed the connection or sent QUIT.
    Closed,
    /// A timeout, too many errors, shutdown or an I/O error; the reply (if any) was sent.
    Aborted,
}

/// The mail transaction between MAIL and the end of DATA/BDAT LAST (RFC 5321 §3.3).
pub(crate) struct Transaction {
    pub from: Path,
    pub params: MailParams,
    /// Number of accepted RCPT commands.
    pub rcpt_count: usize,
    /// Accepted recipients as given, for the Received header's `for` clause.
    pub first_rcpt: Option<String>,
    pub accounts: Vec<AccountId>,
    pub remote: Vec<RemoteRecipient>,
    /// BDAT: the message so far (RFC 3030); `None` until the first BDAT.
    pub chunks: Option<crate::op::Chunks>,
    /// Mail from the Internet that one of our aliases forwards outside: the domain of the
    /// first such alias, which the SRS envelope sender is made in (`policy.rs`).
    pub srs_domain: Option<String>,
}

impl Transaction {
    pub fn new(from: Path, params: MailParams) -> Self {
        Self {
            from,
            params,
            rcpt_count: 0,
            first_rcpt: None,
            accounts: Vec::new(),
            remote: Vec::new(),
            chunks: None,
            srs_domain: None,
        }
    }
}

static SESSION_COUNTER: AtomicU64 = AtomicU64::new(0);

pub(crate) struct Session {
    pub ctx: Arc<Context>,
    pub kind: Kind,
    /// `None` only while STARTTLS swaps the stream.
    stream: Option<SessionStream>,
    pub peer: SocketAddr,
    /// Input not yet consumed is `rbuf[rpos..]`.
    rbuf: Vec<u8>,
    rpos: usize,
    /// Replies not yet sent; flushed when no further pipelined command is buffered
    /// (RFC 2920 §3.1) or before waiting for the client.
    wbuf: Vec<u8>,
    splitter: LineSplitter,
    /// The HELO/EHLO argument; `None` before the greeting and after STARTTLS.
    pub helo: Option<String>,
    pub esmtp: bool,
    pub auth: Option<Account>,
    pub tx: Option<Transaction>,
    errors: u32,
    pub id: String,
    pub tls_info: Option<String>,
}

impl Session {
    pub fn new(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) -> Self {
        let n = SESSION_COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08X}{:04X}", rand::random::<u32>(), n & 0xffff);
        let tls_info = stream.tls_info();
        let max_line = ctx.config.limits.max_line_length;
        Self {
            ctx,
            kind,
            stream: Some(stream),
            peer,
            rbuf: Vec::with_capacity(4096),
            rpos: 0,
            wbuf: Vec::with_capacity(1024),
            splitter: LineSplitter::new(max_line),
            helo: None,
            esmtp: false,
            auth: None,
            tx: None,
            errors: 0,
            id,
            tls_info,
        }
    }

    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(SessionStream::is_tls)
    }

    pub fn hostname(&self) -> &str {
        &self.ctx.config.hostname
    }

    pub async fn run(mut self) {
        tracing::debug!(session = %self.id, peer = %self.peer, service = self.kind.name(), tls = self.is_tls(), "connected");
        let greeting = Reply {
            code: 220,
            enhanced: None,
            lines: vec![format!("{} ESMTP Postroom", self.hostname())],
        };
        self.reply(greeting);
        let end = self.command_loop().await;
        let _ = self.flush().await;
        if let Some(mut stream) = self.stream.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.shutdown()).await;
        }
        tracing::debug!(session = %self.id, ?end, "disconnected");
    }

    async fn command_loop(&mut self) -> End {
        loop {
            // Handle every complete command already buffered before reading again (PIPELINING).
            loop {
                let next = match self.splitter.next(&self.rbuf[self.rpos..]) {
                    Line::Complete { line, consumed } => {
                        let parsed = proto::smtp::parse_command(line);
                        self.rpos += consumed;
                        Some(parsed)
                    }
                    Line::TooLong { consumed, finished } => {
                        self.rpos += consumed;
                        if finished {
                            // RFC 5321 §4.2.2: 500 line too long.
                            if let Err(end) =
                                self.error(Reply::new(500, "5.5.2", "Line too long")).await
                            {
                                return end;
                            }
                        }
                        continue;
                    }
                    Line::Incomplete => None,
                };
                let Some(parsed) = next else { break };
                self.compact();
                let result = match parsed {
                    Ok(command) => self.dispatch(command).await,
                    Err(e) => self.error(command_error_reply(&e)).await,
                };
                if let Err(end) = result {
                    return end;
                }
            }
            self.compact();
            if let Err(end) = self.flush().await {
                return end;
            }
            let timeout = Duration::from_secs(self.ctx.config.limits.command_timeout_secs);
            match self.read_more(timeout, true).await {
                Ok(_) => {}
                Err(end) => return end,
            }
        }
    }

    /// The one place that decides which command is allowed in which state.
    async fn dispatch(&mut self, command: Command) -> Result<(), End> {
        match command {
            Command::Ehlo(name) => self.handle_ehlo(name, true),
            Command::Helo(name) => self.handle_ehlo(name, false),
            Command::Quit => {
                self.reply(Reply::new(
                    221,
                    "2.0.0",
                    format!("{} closing connection", self.hostname()),
                ));
                let _ = self.flush().await;
                Err(End::Closed)
            }
            Command::Noop => {
                self.reply(Reply::new(250, "2.0.0", "OK"));
                Ok(())
            }
            Command::Rset => {
                self.tx = None;
                self.reply(Reply::new(250, "2.0.0", "OK"));
                Ok(())
            }
            Command::Vrfy(_) | Command::Expn(_) | Command::Help => self.handle_other(command),
            Command::StartTls => self.handle_starttls().await,
            Command::Auth { mechanism, initial } => self.handle_auth(mechanism, initial).await,
            Command::Mail { from, params } => self.handle_mail(from, params).await,
            Command::Rcpt { to, params } => self.handle_rcpt(to, params).await,
            Command::Data => self.handle_data().await,
            Command::Bdat { size, last } => self.handle_bdat(size, last).await,
            Command::Etrn(node) => self.handle_etrn(node).await,
        }
    }

    /// Queues a reply.
    pub fn reply(&mut self, reply: Reply) {
        reply.write_to(&mut self.wbuf);
    }

    /// Queues an error reply and counts it; past the limit the session ends with 421.
    pub async fn error(&mut self, reply: Reply) -> Result<(), End> {
        self.reply(reply);
        self.count_error().await
    }

    pub async fn count_error(&mut self) -> Result<(), End> {
        self.errors += 1;
        if self.errors > self.ctx.config.limits.max_errors {
            tracing::info!(session = %self.id, peer = %self.peer, "too many errors");
            self.reply(Reply::new(
                421,
                "4.7.0",
                format!("{} Too many errors, closing connection", self.hostname()),
            ));
            let _ = self.flush().await;
            return Err(End::Aborted);
        }
        Ok(())
    }

    pub async fn flush(&mut self) -> Result<(), End> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(End::Aborted);
        };
        let timeout = Duration::from_secs(self.ctx.config.limits.command_timeout_secs);
        match stream.send(&self.wbuf, timeout).await {
            Ok(()) => {
                self.wbuf.clear();
                Ok(())
            }
            Err(_) => Err(End::Aborted),
        }
    }

    /// Drops consumed input so the buffer does not grow.
    fn compact(&mut self) {
        if self.rpos == self.rbuf.len() {
            self.rbuf.clear();
            self.rpos = 0;
        } else if self.rpos > 64 * 1024 {
            self.rbuf.drain(..self.rpos);
            self.rpos = 0;
        }
    }

    /// Unconsumed input.
    pub fn input(&self) -> &[u8] {
        &self.rbuf[self.rpos..]
    }

    pub fn consume(&mut self, n: usize) {
        self.rpos += n;
        self.compact();
    }

    /// Throws away all buffered input (STARTTLS, RFC 3207 §4.2).
    pub fn discard_input(&mut self) {
        self.rbuf.clear();
        self.rpos = 0;
    }

    /// Reads more input. Waiting for a command (`idle`), a shutdown ends the session with 421;
    /// a timeout always does.
    pub async fn read_more(&mut self, timeout: Duration, idle: bool) -> Result<usize, End> {
        self.compact();
        let Some(stream) = self.stream.as_mut() else {
            return Err(End::Aborted);
        };
        let shutdown = self.ctx.shutdown.clone();
        let read = tokio::time::timeout(timeout, stream.read_append(&mut self.rbuf));
        let outcome = if idle {
            tokio::select! {
                r = read => Some(r),
                _ = shutdown.cancelled() => None,
            }
        } else {
            Some(read.await)
        };
        match outcome {
            None => {
                self.reply(Reply::new(
                    421,
                    "4.3.2",
                    format!("{} Service shutting down, try again later", self.hostname()),
                ));
                let _ = self.flush().await;
                Err(End::Aborted)
            }
            Some(Err(_elapsed)) => {
                tracing::info!(session = %self.id, peer = %self.peer, "timeout");
                // RFC 5321 §4.5.3.2: the server may close after a timeout, with 421.
                self.reply(Reply::new(
                    421,
                    "4.4.2",
                    format!("{} Timeout exceeded, closing connection", self.hostname()),
                ));
                let _ = self.flush().await;
                Err(End::Aborted)
            }
            Some(Ok(Ok(0))) => Err(End::Closed),
            Some(Ok(Ok(n))) => Ok(n),
            Some(Ok(Err(e))) => {
                tracing::debug!(session = %self.id, error = %e, "read failed");
                Err(End::Aborted)
            }
        }
    }

    /// Reads more message data (DATA, BDAT): each read within `data_timeout_secs`, and all of
    /// the transfer before `deadline` (RFC 5321 §4.5.3.2.6 gives the data termination 10
    /// minutes), so a client trickling bytes cannot hold the session and its buffers forever.
    pub async fn read_data(&mut self, deadline: Instant) -> Result<usize, End> {
        let per_read = Duration::from_secs(self.ctx.config.limits.data_timeout_secs);
        let left = deadline.saturating_duration_since(Instant::now());
        if left >= per_read {
            return self.read_more(per_read, false).await;
        }
        match tokio::time::timeout(left, self.read_more(per_read, false)).await {
            Ok(read) => read,
            Err(_elapsed) => {
                tracing::info!(session = %self.id, peer = %self.peer, "message transfer took too long");
                self.reply(Reply::new(
                    451,
                    "4.4.2",
                    format!(
                        "{} Message transfer took too long, closing connection",
                        self.hostname()
                    ),
                ));
                let _ = self.flush().await;
                Err(End::Aborted)
            }
        }
    }

    /// When a DATA or BDAT transfer starting now must be over.
    pub fn data_deadline(&self) -> Instant {
        Instant::now() + Duration::from_secs(self.ctx.config.limits.data_total_timeout_secs)
    }

    /// Reads one line for a SASL exchange (AUTH continuation), reading more input as needed.
    /// `None` means the line was too long (already replied to).
    pub async fn read_line(&mut self) -> Result<Option<String>, End> {
        let timeout = Duration::from_secs(self.ctx.config.limits.command_timeout_secs);
        loop {
            match self.splitter.next(&self.rbuf[self.rpos..]) {
                Line::Complete { line, consumed } => {
                    let text = String::from_utf8_lossy(line).into_owned();
                    self.consume(consumed);
                    return Ok(Some(text));
                }
                Line::TooLong { consumed, finished } => {
                    self.consume(consumed);
                    if finished {
                        return Ok(None);
                    }
                }
                Line::Incomplete => {}
            }
            self.flush().await?;
            self.read_more(timeout, true).await?;
        }
    }

    /// Swaps the stream for its TLS upgrade.
    pub async fn upgrade_tls(&mut self) -> Result<(), End> {
        let Some(stream) = self.stream.take() else {
            return Err(End::Aborted);
        };
        match stream.start_tls(&self.ctx.tls).await {
            Ok(tls) => {
                self.tls_info = tls.tls_info();
                self.stream = Some(tls);
                Ok(())
            }
            Err(e) => {
                tracing::info!(session = %self.id, peer = %self.peer, error = %e, "TLS handshake failed");
                Err(End::Aborted)
            }
        }
    }
}

/// The reply for a line that does not parse (RFC 5321 §4.2.2, RFC 3463 §3.6).
fn command_error_reply(e: &CommandError) -> Reply {
    match e {
        CommandError::UnknownCommand => Reply::new(500, "5.5.1", "Command unrecognized"),
        CommandError::Syntax(why) => Reply::new(501, "5.5.4", format!("Syntax error: {why}")),
        CommandError::BadAddress(why) => {
            Reply::new(501, "5.1.3", format!("Bad address syntax: {why}"))
        }
        CommandError::UnknownParameter(p) => Reply::new(
            555,
            "5.5.4",
            format!(
                "Parameter {} not recognized or not implemented",
                sanitize(p)
            ),
        ),
        CommandError::InvalidCharacters => {
            Reply::new(501, "5.5.2", "Invalid characters in command")
        }
        _ => Reply::new(501, "5.5.4", "Syntax error"),
    }
}

/// Keeps client-supplied text in replies printable and short.
pub(crate) fn sanitize(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}
