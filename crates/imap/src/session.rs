//! The IMAP session: its states, reading and framing commands (literals within the memory
//! budget) with their timeouts over the shared [`net::Shell`], and the one place that
//! decides which command is allowed in which state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use net::SessionStream;
use net::session::{Read, Shell, Stop};
use proto::imap::response::{self, Status};
use proto::imap::{Command, CommandReader, Frame, Limits, ListOptions, ParseError, Request};
use store::{Account, Change};
use tokio::sync::broadcast;

use crate::selected::Selected;
use crate::{Context, Kind};
pub(crate) use net::{End, sanitize};

/// RFC 9051 §5.4: an authenticated client may stay silent at least 30 minutes.
pub(crate) const AUTOLOGOUT: Duration = Duration::from_secs(31 * 60);

/// Commands (lines and literals) up to this size are not counted against the memory budget.
const UNCOUNTED: u64 = 64 * 1024;

/// RFC 9051 §3: the states. Logout is entered only by LOGOUT (or an error) and ends the
/// session, so it is not a state the session waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    NotAuthenticated,
    Authenticated,
    Selected,
}

pub(crate) struct Session {
    pub ctx: Arc<Context>,
    pub kind: Kind,
    /// The connection: buffers, flush, reads, STARTTLS; responses are queued in
    /// `shell.wbuf`.
    pub shell: Shell,
    pub peer: SocketAddr,
    reader: CommandReader,
    pub account: Option<Account>,
    pub selected: Option<Selected>,
    /// The store's changes, from login on.
    pub changes: Option<broadcast::Receiver<Change>>,
    /// RFC 6855 / RFC 9051: mailbox names and strings in UTF-8 (ENABLE UTF8=ACCEPT or
    /// IMAP4rev2).
    pub utf8: bool,
    /// ENABLE IMAP4rev2 (RFC 9051 §6.3.1): ESEARCH responses, no RECENT.
    pub rev2: bool,
    /// CONDSTORE enabled (RFC 7162 §3.1): MODSEQ in unsolicited FETCH responses.
    pub condstore: bool,
    /// ENABLE QRESYNC (RFC 7162 §3.2.3): VANISHED instead of EXPUNGE.
    pub qresync: bool,
    pub id: String,
    /// The memory budget's share held by the command being read or run (its literals).
    held: net::BudgetGuard,
}

/// How long a client that has not logged in may stay silent: the SMTP command timeout.
fn before_login_timeout(ctx: &Context) -> Duration {
    Duration::from_secs(ctx.config.limits.command_timeout_secs)
}

impl Session {
    pub fn new(ctx: Arc<Context>, kind: Kind, stream: SessionStream, peer: SocketAddr) -> Self {
        let held = ctx.budget.guard();
        let shell = Shell::new(
            stream,
            before_login_timeout(&ctx),
            ctx.config.limits.max_errors,
            ctx.shutdown.clone(),
        );
        Session {
            ctx,
            kind,
            shell,
            peer,
            reader: CommandReader::new(Limits::before_login()),
            account: None,
            selected: None,
            changes: None,
            utf8: false,
            rev2: false,
            condstore: false,
            qresync: false,
            id: format!("{:08X}", rand::random::<u32>()),
            held,
        }
    }

    pub fn is_tls(&self) -> bool {
        self.shell.is_tls()
    }

    pub fn state(&self) -> State {
        match (&self.account, &self.selected) {
            (None, _) => State::NotAuthenticated,
            (Some(_), None) => State::Authenticated,
            (Some(_), Some(_)) => State::Selected,
        }
    }

    /// How long the client may stay silent: 30 minutes after login (RFC 9051 §5.4), the
    /// SMTP command timeout before.
    fn idle_timeout(&self) -> Duration {
        if self.account.is_some() {
            AUTOLOGOUT
        } else {
            before_login_timeout(&self.ctx)
        }
    }

    pub async fn run(mut self) {
        tracing::debug!(session = %self.id, peer = %self.peer, service = self.kind.name(), tls = self.is_tls(), "connected");
        // RFC 9051 §7.1.1: the greeting, with the capabilities (saves a round trip).
        let caps = self.capabilities();
        response::status(
            &mut self.shell.wbuf,
            None,
            Status::Ok,
            &format!("CAPABILITY {caps}"),
            "Postroom IMAP ready",
        );
        let end = self.command_loop().await;
        self.shell.close().await;
        tracing::debug!(session = %self.id, ?end, "disconnected");
    }

    async fn command_loop(&mut self) -> Result<(), End> {
        loop {
            let command = self.next_command().await?;
            match proto::imap::parse_command(&command) {
                Ok(request) => self.dispatch(request).await?,
                // RFC 9051 §6.4.4: a charset we cannot decode is a NO, never a BAD.
                Err((Some(tag), ParseError::UnknownCharset)) => self.bad_charset(&tag).await?,
                Err((tag, e)) => {
                    let text = match e {
                        ParseError::Unknown => "unknown command".to_string(),
                        e => e.to_string(),
                    };
                    self.bad(tag.as_deref(), &text).await?;
                }
            }
            // The command and its literals are gone: so is their share of the budget.
            drop(command);
            self.held.resize(0);
        }
    }

    /// Reads until one whole command is framed, answering continuation requests and
    /// refusing over-long lines and over-large literals on the way.
    pub async fn next_command(&mut self) -> Result<Vec<u8>, End> {
        loop {
            let (consumed, frame) = self.reader.next(self.shell.input());
            self.shell.consume(consumed);
            match frame {
                Frame::Command(command) => return Ok(command),
                // RFC 9051 §7.5: the client may send the literal, if memory allows.
                Frame::Continue => {
                    if self.hold_pending() {
                        response::untagged_continue(&mut self.shell.wbuf, "Ready");
                    } else {
                        // The client waits for `+` and sends nothing of the literal: refuse
                        // the command, keep the connection. RFC 5530 §3: UNAVAILABLE is the
                        // temporary failure; the client may try again later.
                        let tag = self.reader.tag();
                        self.reader.reset();
                        self.held.resize(0);
                        tracing::warn!(session = %self.id, peer = %self.peer, "memory budget used up; literal refused");
                        self.reply(
                            tag.as_deref(),
                            Status::No,
                            "UNAVAILABLE",
                            "server busy, try again later",
                        );
                    }
                    self.flush().await?;
                }
                Frame::LineTooLong { tag } => {
                    self.bad(tag.as_deref(), "line too long").await?;
                }
                Frame::LiteralTooLarge {
                    tag,
                    size,
                    synchronizing,
                } => {
                    tracing::info!(session = %self.id, peer = %self.peer, size, "literal too large");
                    if !synchronizing {
                        // RFC 7888 §4: the octets are already coming and cannot be told
                        // apart from commands: the connection must end.
                        self.bye("literal too large").await;
                        return Err(End::Aborted);
                    }
                    // RFC 9051 §7.1.5, RFC 7888 §4: refused before the client sends it.
                    self.reply(tag.as_deref(), Status::No, "TOOBIG", "literal too large");
                    self.count_error().await?;
                }
                Frame::Incomplete => {
                    if !self.hold_pending() {
                        // A non-synchronizing literal (RFC 7888) is already on its way and
                        // cannot be told apart from commands: as for one too large, the
                        // connection must end (RFC 7888 §4).
                        tracing::warn!(session = %self.id, peer = %self.peer, "memory budget used up; connection closed");
                        self.bye("server busy, try again later").await;
                        return Err(End::Aborted);
                    }
                    self.flush().await?;
                    if self.reader.pending() > 0 {
                        // Part of a command is here (after a `+`, a literal without its
                        // CRLF): the client may hold the rest back until this is
                        // acknowledged (Nagle), so do not delay the ACK.
                        self.shell.ack_promptly();
                    }
                    self.read_more().await?;
                }
            }
        }
    }

    /// Reserves memory for all the command being read will hold once complete (its lines
    /// and literals); `false` when the shared budget cannot take it.
    /// Commands up to [`UNCOUNTED`] are not counted: like the read buffer, they are bounded
    /// per connection, and a slow client typing a short command is never refused.
    fn hold_pending(&mut self) -> bool {
        let pending = self.reader.pending();
        pending <= UNCOUNTED || pending <= self.held.held() || self.held.resize(pending)
    }

    /// The one place that decides which command is allowed in which state (RFC 9051 §6).
    async fn dispatch(&mut self, request: Request) -> Result<(), End> {
        let Request { tag, command } = request;
        let tag = tag.as_str();
        let state = self.state();
        let authed = state != State::NotAuthenticated;
        let selected = state == State::Selected;
        match command {
            // Any state (RFC 9051 §6.1).
            Command::Capability => self.handle_capability(tag),
            Command::Noop | Command::Check => {
                self.catch_up(true).await;
                self.ok(tag, "NOOP completed");
                Ok(())
            }
            Command::Logout => {
                self.bye_text("logging out");
                self.ok(tag, "LOGOUT completed");
                Err(End::Closed)
            }
            Command::Id(fields) => self.handle_id(tag, fields),
            // Not authenticated (RFC 9051 §6.2).
            Command::StartTls if !authed => self.handle_starttls(tag).await,
            Command::Login { user, password } if !authed => {
                self.handle_login(tag, user, password).await
            }
            Command::Authenticate { mechanism, initial } if !authed => {
                self.handle_authenticate(tag, mechanism, initial).await
            }
            // Authenticated or selected (RFC 9051 §6.3).
            Command::Enable(caps) if authed => self.handle_enable(tag, caps),
            Command::Namespace if authed => self.handle_namespace(tag),
            Command::Select(args) if authed => self.handle_select(tag, args, false).await,
            Command::Examine(args) if authed => self.handle_select(tag, args, true).await,
            // RFC 9208 §4.
            Command::GetQuota(root) if authed => self.handle_getquota(tag, root).await,
            Command::GetQuotaRoot(mailbox) if authed => {
                self.handle_getquotaroot(tag, mailbox).await
            }
            Command::SetQuota { .. } if authed => self.handle_setquota(tag).await,
            Command::Create {
                mailbox,
                special_use,
            } if authed => self.handle_create(tag, mailbox, special_use).await,
            Command::Delete(name) if authed => self.handle_delete(tag, name).await,
            Command::Rename { from, to } if authed => self.handle_rename(tag, from, to).await,
            Command::Subscribe(name) if authed => self.handle_subscribe(tag, name, true).await,
            Command::Unsubscribe(name) if authed => self.handle_subscribe(tag, name, false).await,
            Command::List {
                reference,
                patterns,
                options,
            } if authed => {
                self.handle_list(tag, reference, patterns, options, "LIST")
                    .await
            }
            Command::Lsub { reference, pattern } if authed => {
                let options = ListOptions {
                    subscribed: true,
                    ..ListOptions::default()
                };
                self.handle_list(tag, reference, vec![pattern], options, "LSUB")
                    .await
            }
            Command::Status { mailbox, items } if authed => {
                self.handle_status(tag, mailbox, items).await
            }
            Command::Append {
                mailbox,
                flags,
                date,
                message,
            } if authed => self.handle_append(tag, mailbox, flags, date, message).await,
            Command::Idle if authed => self.handle_idle(tag).await,
            // Selected (RFC 9051 §6.4).
            Command::Close if selected => self.handle_close(tag, true).await,
            Command::Unselect if selected => self.handle_close(tag, false).await,
            Command::Expunge(uids) if selected => self.handle_expunge(tag, uids).await,
            Command::Search(args) if selected => self.handle_search(tag, args).await,
            Command::Sort {
                uid,
                ret,
                criteria,
                charset,
                key,
            } if selected => {
                self.handle_sort(tag, uid, ret, criteria, charset, key)
                    .await
            }
            Command::Thread {
                uid,
                algorithm,
                charset,
                key,
            } if selected => self.handle_thread(tag, uid, algorithm, charset, key).await,
            Command::Fetch {
                uid,
                set,
                attrs,
                changed_since,
                vanished,
            } if selected => {
                let since = changed_since.map(|since| (since, vanished));
                self.handle_fetch(tag, uid, set, attrs, since).await
            }
            Command::Store(args) if selected => self.handle_store(tag, args).await,
            Command::Copy(args) if selected => self.handle_copy(tag, args, false).await,
            Command::Move(args) if selected => self.handle_copy(tag, args, true).await,
            command => {
                // RFC 9051 §6: a command not valid in this state is a BAD.
                let why = match state {
                    State::NotAuthenticated => "log in first",
                    State::Authenticated if authed => "select a mailbox first",
                    _ => "not allowed now",
                };
                let why = if authed
                    && matches!(
                        command,
                        Command::StartTls | Command::Login { .. } | Command::Authenticate { .. }
                    ) {
                    "already logged in"
                } else {
                    why
                };
                self.bad(Some(tag), &format!("{} {why}", command.name()))
                    .await
            }
        }
    }

    /// Queues `tag STATUS [code] text`.
    pub fn reply(&mut self, tag: Option<&str>, status: Status, code: &str, text: &str) {
        response::status(&mut self.shell.wbuf, tag, status, code, text);
    }

    pub fn ok(&mut self, tag: &str, text: &str) {
        self.reply(Some(tag), Status::Ok, "", text);
    }

    /// Queues a tagged NO and counts it.
    pub async fn no(&mut self, tag: &str, code: &str, text: &str) -> Result<(), End> {
        self.reply(Some(tag), Status::No, code, text);
        self.count_error().await
    }

    /// Queues a BAD (tagged when the tag is known) and counts it.
    pub async fn bad(&mut self, tag: Option<&str>, text: &str) -> Result<(), End> {
        self.reply(tag, Status::Bad, "", text);
        self.count_error().await
    }

    /// Past the limit of errors the session ends (RFC 9051 §7.1.5 lets a server close).
    async fn count_error(&mut self) -> Result<(), End> {
        if self.shell.count_error() {
            tracing::info!(session = %self.id, peer = %self.peer, "too many errors");
            self.bye("too many errors").await;
            return Err(End::Aborted);
        }
        Ok(())
    }

    pub fn bye_text(&mut self, text: &str) {
        self.reply(None, Status::Bye, "", text);
    }

    /// Sends `* BYE` now (RFC 9051 §7.1.5).
    pub async fn bye(&mut self, text: &str) {
        self.bye_text(text);
        let _ = self.flush().await;
    }

    /// Sends what is queued.
    pub async fn flush(&mut self) -> Result<(), End> {
        self.shell.flush().await
    }

    /// Reads more input. A silent client is told BYE at the autologout timeout (RFC 9051
    /// §5.4), and at shutdown.
    pub async fn read_more(&mut self) -> Result<(), End> {
        match self.shell.read(self.idle_timeout()).await {
            Ok(_) => Ok(()),
            Err(stop) => Err(self.stopped(stop).await),
        }
    }

    /// Reads input or a change of the store, whichever comes first (IDLE). `Ok(true)` when
    /// input arrived.
    pub async fn read_or_change(&mut self, timeout: Duration) -> Result<bool, End> {
        let Some(changes) = self.changes.as_mut() else {
            return Err(End::Aborted);
        };
        match self.shell.read_or(timeout, changes.recv()).await {
            Ok(Read::Input(_)) => Ok(true),
            Ok(Read::Other(change)) => {
                if let Some(sel) = self.selected.as_mut() {
                    sel.note(change);
                }
                Ok(false)
            }
            Err(stop) => Err(self.stopped(stop).await),
        }
    }

    /// Answers why no input came, and ends the session.
    async fn stopped(&mut self, stop: Stop) -> End {
        match stop {
            Stop::Shutdown => self.bye("server shutting down").await,
            Stop::TimedOut => {
                tracing::info!(session = %self.id, peer = %self.peer, "autologout");
                self.bye("autologout; idle for too long").await;
            }
            Stop::Closed | Stop::Failed(_) => {}
        }
        stop.end(&self.id)
    }

    /// Whether a whole command (or line) is buffered.
    pub fn has_input(&self) -> bool {
        self.shell.has_line()
    }

    /// After login: literals up to the message size limit (APPEND), the change stream, and
    /// the autologout timer for writes too.
    pub fn logged_in(&mut self, account: Account) {
        self.reader
            .set_limits(Limits::logged_in(self.ctx.config.limits.max_message_size));
        self.changes = Some(self.ctx.store.subscribe());
        self.account = Some(account);
        self.shell.set_write_timeout(AUTOLOGOUT);
    }

    /// Throws away all buffered input (RFC 9051 §6.2.1: command injection) and swaps the
    /// stream for its TLS upgrade.
    pub async fn start_tls(&mut self) -> Result<(), End> {
        self.reader.reset();
        self.shell
            .start_tls(&self.ctx.tls, &self.id, self.peer, "STARTTLS")
            .await
    }

    /// A mailbox name from the wire: modified UTF-7 unless UTF-8 was enabled (RFC 3501
    /// §5.1.3, RFC 6855 §3); INBOX in any case is INBOX (RFC 9051 §5.1); a trailing `/` is
    /// dropped.
    pub fn mailbox_name(&self, raw: &[u8]) -> Option<String> {
        let name = if self.utf8 {
            String::from_utf8(raw.to_vec()).ok()?
        } else {
            proto::imap::mutf7::decode(raw)?
        };
        let name = name.strip_suffix('/').unwrap_or(&name).to_string();
        if name.eq_ignore_ascii_case("INBOX") {
            return Some("INBOX".into());
        }
        Some(name)
    }

    /// A mailbox name for the wire, quoted or as a literal.
    pub fn encode_name(&self, name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        if self.utf8 {
            response::string(&mut out, name.as_bytes(), true);
        } else {
            response::string(&mut out, proto::imap::mutf7::encode(name).as_bytes(), false);
        }
        out
    }
}
