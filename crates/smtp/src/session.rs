//! The SMTP session: reading commands (pipelined, RFC 2920) and message data with their
//! timeouts over the shared [`net::Shell`], and the dispatch of each command after the one
//! table of which command is allowed in which state (`state.rs`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use net::SessionStream;
use net::session::{NextLine, Shell, Stop};
use proto::smtp::{Command, CommandError, LineSplitter, Reply};
use store::Account;
use tokio::time::Instant;

pub(crate) use crate::state::{Greeting, State, Transaction};
use crate::{Context, Kind};
pub(crate) use net::{End, sanitize};

static SESSION_COUNTER: AtomicU64 = AtomicU64::new(0);

pub(crate) struct Session {
    pub ctx: Arc<Context>,
    pub kind: Kind,
    /// The connection: buffers, flush, reads, STARTTLS. Replies are queued in `shell.wbuf`
    /// and flushed when no further pipelined command is buffered (RFC 2920 §3.1) or before
    /// waiting for the client.
    pub shell: Shell,
    pub peer: SocketAddr,
    splitter: LineSplitter,
    pub state: State,
    pub id: String,
    /// The blocklist and reverse-DNS lookups for a client from the Internet, started at
    /// connection and collected at the end of DATA (`trust::peer`).
    pub peer_check: Option<trust::PeerCheck>,
}

impl Session {
    pub fn new(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) -> Self {
        let n = SESSION_COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08X}{:04X}", rand::random::<u32>(), n & 0xffff);
        let limits = &ctx.config.limits;
        let shell = Shell::new(
            stream,
            Duration::from_secs(limits.command_timeout_secs),
            limits.max_errors,
            ctx.shutdown.clone(),
        );
        let splitter = LineSplitter::new(limits.max_line_length);
        Self {
            ctx,
            kind,
            shell,
            peer,
            splitter,
            state: State::Connected,
            id,
            peer_check: None,
        }
    }

    pub fn is_tls(&self) -> bool {
        self.shell.is_tls()
    }

    pub fn hostname(&self) -> &str {
        &self.ctx.config.hostname
    }

    /// The account after a successful AUTH.
    pub fn auth(&self) -> Option<&Account> {
        self.state.greeting().and_then(|g| g.auth.as_ref())
    }

    /// Whether the session started with EHLO.
    pub fn esmtp(&self) -> bool {
        self.state.greeting().is_some_and(|g| g.esmtp)
    }

    pub fn tx(&self) -> Option<&Transaction> {
        self.state.transaction()
    }

    pub async fn run(mut self) {
        tracing::debug!(session = %self.id, peer = %self.peer, service = self.kind.name(), tls = self.is_tls(), "connected");
        let greeting = Reply {
            code: 220,
            enhanced: None,
            lines: vec![format!("{} ESMTP Postroom", self.hostname())],
        };
        self.reply(greeting);
        if self.inbound() {
            self.peer_check = Some(self.ctx.trust.check_peer(
                &self.ctx.config.filter,
                self.peer.ip(),
                self.ours(),
            ));
        }
        let end = self.command_loop().await;
        self.shell.close().await;
        tracing::debug!(session = %self.id, ?end, "disconnected");
    }

    async fn command_loop(&mut self) -> End {
        loop {
            // Handle every complete command already buffered before reading again (PIPELINING).
            loop {
                let parsed = match self.shell.next_line(&mut self.splitter) {
                    NextLine::Line(line) => {
                        proto::smtp::parse_command(line).map_err(|e| command_error_reply(&e))
                    }
                    // RFC 5321 §4.2.2: 500 line too long.
                    NextLine::TooLong => Err(Reply::new(500, "5.5.2", "Line too long")),
                    NextLine::Incomplete => break,
                };
                let result = match parsed {
                    Ok(command) => self.dispatch(command).await,
                    Err(reply) => self.error(reply).await,
                };
                if let Err(end) = result {
                    return end;
                }
            }
            if let Err(end) = self.flush().await {
                return end;
            }
            if let Err(end) = self.read_more().await {
                return end;
            }
        }
    }

    /// Runs a command the table in `state.rs` allows in this state, or refuses it.
    async fn dispatch(&mut self, command: Command) -> Result<(), End> {
        if let Err(reply) = crate::state::allowed(&command, &self.state, self.kind) {
            return self.error(reply).await;
        }
        match command {
            Command::Ehlo(name) => self.handle_ehlo(name, true),
            Command::Helo(name) => self.handle_ehlo(name, false),
            Command::Quit => self.handle_quit().await,
            Command::Noop => self.handle_noop(),
            Command::Rset => self.handle_rset(),
            Command::Vrfy(_) => self.handle_vrfy(),
            Command::Expn(_) => self.handle_expn(),
            Command::Help => self.handle_help(),
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
        reply.write_to(&mut self.shell.wbuf);
    }

    /// Queues an error reply and counts it; past the limit the session ends with 421.
    pub async fn error(&mut self, reply: Reply) -> Result<(), End> {
        self.reply(reply);
        self.count_error().await
    }

    pub async fn count_error(&mut self) -> Result<(), End> {
        if self.shell.count_error() {
            tracing::info!(session = %self.id, peer = %self.peer, "too many errors");
            self.reply_closing("4.7.0", "Too many errors, closing connection");
            let _ = self.flush().await;
            return Err(End::Aborted);
        }
        Ok(())
    }

    /// Queues the 421 with which this host closes the session (RFC 5321 §3.8).
    fn reply_closing(&mut self, enhanced: &'static str, text: &str) {
        let text = format!("{} {text}", self.hostname());
        self.reply(Reply::new(421, enhanced, text));
    }

    pub async fn flush(&mut self) -> Result<(), End> {
        self.shell.flush().await
    }

    fn command_timeout(&self) -> Duration {
        Duration::from_secs(self.ctx.config.limits.command_timeout_secs)
    }

    /// Waits for the next command. A shutdown ends the session with 421, as does a timeout.
    async fn read_more(&mut self) -> Result<(), End> {
        match self.shell.read(self.command_timeout()).await {
            Ok(_) => Ok(()),
            Err(stop) => Err(self.stopped(stop).await),
        }
    }

    /// Answers why no input came, and ends the session.
    async fn stopped(&mut self, stop: Stop) -> End {
        match stop {
            Stop::Closed | Stop::Failed(_) => return stop.end(&self.id),
            Stop::Shutdown => {
                self.reply_closing("4.3.2", "Service shutting down, try again later");
            }
            Stop::TimedOut => {
                tracing::info!(session = %self.id, peer = %self.peer, "timeout");
                // RFC 5321 §4.5.3.2: the server may close after a timeout, with 421.
                self.reply_closing("4.4.2", "Timeout exceeded, closing connection");
            }
        }
        let _ = self.flush().await;
        stop.end(&self.id)
    }

    /// Reads more message data (DATA, BDAT): each read within `data_timeout_secs`, and all of
    /// the transfer before `deadline` (RFC 5321 §4.5.3.2.6 gives the data termination 10
    /// minutes), so a client trickling bytes cannot hold the session and its buffers forever.
    pub async fn read_data(&mut self, deadline: Instant) -> Result<usize, End> {
        let per_read = Duration::from_secs(self.ctx.config.limits.data_timeout_secs);
        let left = deadline.saturating_duration_since(Instant::now());
        let read = if left >= per_read {
            self.shell.read_data(per_read).await
        } else {
            match tokio::time::timeout(left, self.shell.read_data(per_read)).await {
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
                    return Err(End::Aborted);
                }
            }
        };
        match read {
            Ok(n) => Ok(n),
            Err(stop) => Err(self.stopped(stop).await),
        }
    }

    /// When a DATA or BDAT transfer starting now must be over.
    pub fn data_deadline(&self) -> Instant {
        Instant::now() + Duration::from_secs(self.ctx.config.limits.data_total_timeout_secs)
    }

    /// Reads one line for a SASL exchange (AUTH continuation), reading more input as needed.
    /// `None` means the line was too long (already replied to).
    pub async fn read_line(&mut self) -> Result<Option<String>, End> {
        let timeout = self.command_timeout();
        match self.shell.read_line(&mut self.splitter, timeout).await {
            Ok(line) => Ok(line),
            Err(stop) => Err(self.stopped(stop).await),
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
