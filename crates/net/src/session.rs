//! [`Shell`]: what every protocol session does with its connection, whatever it speaks: the
//! read buffer, the queued replies and their flush, reads with a timeout that a shutdown
//! interrupts, the error count, and the STARTTLS hand-over that throws away pipelined input.
//!
//! The protocol keeps what is its own: line limits, timeouts, reply formats, IMAP literals,
//! SMTP DATA/BDAT. It reads [`Shell::input`], says how much it used with
//! [`Shell::consume`], queues replies in [`Shell::wbuf`], and turns a [`Stop`] into its own
//! last words (`421`, `-ERR`, `* BYE`).
//!
//! Generic over the stream so a test can drive a session in memory
//! (`tokio::io::duplex`); TLS exists only on [`SessionStream`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use proto::smtp::{Line, LineSplitter};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::stream::{READ_CHUNK, SessionStream};

/// How long closing a connection may take (a TLS close_notify to a client that stopped
/// reading).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a session stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed the connection or said goodbye (QUIT, LOGOUT).
    Closed,
    /// A timeout, too many errors, shutdown or an I/O error; the last reply (if any) was sent.
    Aborted,
}

/// Why a read brought no input. The protocol answers it in its own words.
#[derive(Debug)]
pub enum Stop {
    /// The client closed the connection.
    Closed,
    /// Nothing arrived within the timeout.
    TimedOut,
    /// The server is shutting down (only while waiting for a command).
    Shutdown,
    /// The connection failed, reading or writing.
    Failed(io::Error),
}

impl Stop {
    /// How the session ends once the protocol has said its last words (if any): closed by
    /// the client, or aborted. A failed connection is logged at debug level only: nobody
    /// can be told.
    pub fn end(self, session: &str) -> End {
        match self {
            Stop::Closed => End::Closed,
            Stop::Failed(e) => {
                tracing::debug!(session = %session, error = %e, "read failed");
                End::Aborted
            }
            Stop::TimedOut | Stop::Shutdown => End::Aborted,
        }
    }
}

/// What [`Shell::read_or`] brought: input, or the other event first.
#[derive(Debug)]
pub enum Read<T> {
    /// This many bytes were appended to the input.
    Input(usize),
    Other(T),
}

/// The next line of input (SMTP commands, POP3 commands, SASL responses).
#[derive(Debug, PartialEq, Eq)]
pub enum NextLine<'a> {
    /// A line without its line ending; it is consumed already.
    Line(&'a [u8]),
    /// A line longer than the limit ended; it was thrown away (answer it once).
    TooLong,
    /// No complete line is buffered.
    Incomplete,
}

/// One client connection as every protocol session uses it.
pub struct Shell<S = SessionStream> {
    /// `None` while STARTTLS swaps the stream, and after a write failed.
    stream: Option<S>,
    /// Input not yet consumed is `rbuf[rpos..]`.
    rbuf: Vec<u8>,
    rpos: usize,
    /// Replies not yet sent.
    pub wbuf: Vec<u8>,
    /// How long a flush may stall on a client that does not read.
    write_timeout: Duration,
    errors: u32,
    max_errors: u32,
    shutdown: CancellationToken,
    /// "TLSv1.3 with cipher ...", worked out once per handshake (Received headers want it
    /// per message).
    tls_info: OnceLock<Option<String>>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Shell<S> {
    /// `max_errors`: errors allowed before [`Shell::count_error`] says the session must end.
    pub fn new(
        stream: S,
        write_timeout: Duration,
        max_errors: u32,
        shutdown: CancellationToken,
    ) -> Self {
        Shell {
            stream: Some(stream),
            rbuf: Vec::with_capacity(4096),
            rpos: 0,
            wbuf: Vec::with_capacity(4096),
            write_timeout,
            errors: 0,
            max_errors,
            shutdown,
            tls_info: OnceLock::new(),
        }
    }

    pub fn set_write_timeout(&mut self, timeout: Duration) {
        self.write_timeout = timeout;
    }

    /// Unconsumed input.
    pub fn input(&self) -> &[u8] {
        &self.rbuf[self.rpos..]
    }

    /// Marks `n` bytes of [`Shell::input`] as used. The buffer is trimmed before the next
    /// read, never per command, so pipelined commands cost no copying.
    pub fn consume(&mut self, n: usize) {
        self.rpos = (self.rpos + n).min(self.rbuf.len());
    }

    /// Whether a whole line is buffered.
    pub fn has_line(&self) -> bool {
        self.input().contains(&b'\n')
    }

    /// Throws away all buffered input; returns how many bytes that was.
    pub fn discard_input(&mut self) -> usize {
        let n = self.rbuf.len() - self.rpos;
        self.rbuf.clear();
        self.rpos = 0;
        n
    }

    /// The next buffered line, cut by `splitter` (an over-long line is dropped as it
    /// arrives, so it never grows the buffer).
    pub fn next_line(&mut self, splitter: &mut LineSplitter) -> NextLine<'_> {
        loop {
            let start = self.rpos;
            match splitter.next(&self.rbuf[start..]) {
                Line::Complete { line, consumed } => {
                    let len = line.len();
                    self.rpos += consumed;
                    return NextLine::Line(&self.rbuf[start..start + len]);
                }
                Line::TooLong { consumed, finished } => {
                    self.rpos += consumed;
                    if finished {
                        return NextLine::TooLong;
                    }
                }
                Line::Incomplete => return NextLine::Incomplete,
            }
        }
    }

    /// Reads one line of a SASL exchange, flushing what is queued and reading as needed;
    /// `None` when it was too long.
    pub async fn read_line(
        &mut self,
        splitter: &mut LineSplitter,
        timeout: Duration,
    ) -> Result<Option<String>, Stop> {
        loop {
            match self.next_line(splitter) {
                NextLine::Line(line) => {
                    return Ok(Some(String::from_utf8_lossy(line).into_owned()));
                }
                NextLine::TooLong => return Ok(None),
                NextLine::Incomplete => {}
            }
            self.send().await.map_err(Stop::Failed)?;
            self.read(timeout).await?;
        }
    }

    /// Waits for input while the client is expected to send a command: a shutdown ends the
    /// wait.
    pub async fn read(&mut self, timeout: Duration) -> Result<usize, Stop> {
        match self.read_or(timeout, std::future::pending::<()>()).await? {
            Read::Input(n) => Ok(n),
            Read::Other(()) => Err(Stop::Shutdown),
        }
    }

    /// Reads while the client is sending data it announced (DATA, BDAT, a literal): a
    /// shutdown waits for it.
    pub async fn read_data(&mut self, timeout: Duration) -> Result<usize, Stop> {
        self.trim();
        let stream = self.stream.as_mut().ok_or_else(|| Stop::Failed(broken()))?;
        let read = tokio::time::timeout(timeout, read_append(stream, &mut self.rbuf)).await;
        outcome(read)
    }

    /// Waits for input or `other` (IDLE: a change in the store), whichever comes first; a
    /// shutdown ends the wait.
    pub async fn read_or<F: Future>(
        &mut self,
        timeout: Duration,
        other: F,
    ) -> Result<Read<F::Output>, Stop> {
        self.trim();
        let stream = self.stream.as_mut().ok_or_else(|| Stop::Failed(broken()))?;
        let read = tokio::time::timeout(timeout, read_append(stream, &mut self.rbuf));
        tokio::select! {
            read = read => outcome(read).map(Read::Input),
            other = other => Ok(Read::Other(other)),
            () = self.shutdown.cancelled() => Err(Stop::Shutdown),
        }
    }

    /// Sends what is queued. A failed or stalled write ends the session.
    pub async fn flush(&mut self) -> Result<(), End> {
        self.send().await.map_err(|_| End::Aborted)
    }

    /// Sends what is queued. After a failure nothing more is sent: a part of the queue may
    /// have gone out, so sending it again would garble the stream, and each try would wait
    /// the whole write timeout again.
    async fn send(&mut self) -> io::Result<()> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let stream = self.stream.as_mut().ok_or_else(broken)?;
        let write = async {
            stream.write_all(&self.wbuf).await?;
            stream.flush().await
        };
        let sent = tokio::time::timeout(self.write_timeout, write)
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "write timed out")));
        self.wbuf.clear();
        if sent.is_err() {
            self.stream = None;
        }
        sent
    }

    /// Counts a refused command; `true` once there were more than the session allows (the
    /// protocol says goodbye in its words and ends).
    pub fn count_error(&mut self) -> bool {
        self.errors += 1;
        self.errors > self.max_errors
    }

    /// Sends what is still queued and closes the connection.
    pub async fn close(&mut self) {
        let _ = self.send().await;
        if let Some(mut stream) = self.stream.take() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, stream.shutdown()).await;
        }
    }

    /// Drops consumed input before a read, so the buffer holds at most one unfinished
    /// command (or line) and one read.
    fn trim(&mut self) {
        if self.rpos == self.rbuf.len() {
            self.rbuf.clear();
        } else if self.rpos > 0 {
            self.rbuf.drain(..self.rpos);
        }
        self.rpos = 0;
    }
}

impl Shell<SessionStream> {
    pub fn is_tls(&self) -> bool {
        self.stream.as_ref().is_some_and(SessionStream::is_tls)
    }

    /// See [`SessionStream::ack_promptly`]: the session waits for the rest of a command.
    pub fn ack_promptly(&self) {
        if let Some(stream) = &self.stream {
            stream.ack_promptly();
        }
    }

    /// The negotiated TLS version and cipher, if the connection is TLS.
    pub fn tls_info(&self) -> Option<&str> {
        self.tls_info
            .get_or_init(|| self.stream.as_ref().and_then(SessionStream::tls_info))
            .as_deref()
    }

    /// STARTTLS (RFC 3207 §4.2, RFC 2595 §4, RFC 9051 §6.2.1): throws away everything the
    /// client pipelined behind the command (sent in the clear, it must not run inside TLS:
    /// CVE-2011-0411), then runs the handshake. `verb` names the command in the log.
    /// Queued replies must have been flushed.
    pub async fn start_tls(
        &mut self,
        acceptor: &TlsAcceptor,
        session: &str,
        peer: SocketAddr,
        verb: &str,
    ) -> Result<(), End> {
        let pipelined = self.discard_input();
        if pipelined > 0 {
            tracing::info!(session = %session, peer = %peer, bytes = pipelined, "discarded input pipelined after {verb}");
        }
        let plain = self.stream.take().ok_or(End::Aborted)?;
        match plain.start_tls(acceptor).await {
            Ok(tls) => {
                self.tls_info = OnceLock::new();
                self.stream = Some(tls);
                Ok(())
            }
            Err(e) => {
                tracing::info!(session = %session, peer = %peer, error = %e, "TLS handshake failed");
                Err(End::Aborted)
            }
        }
    }
}

/// Reads once, appending to `buf` (into at least [`READ_CHUNK`] bytes of spare capacity,
/// never zero-filled). Cancel-safe: dropped (timeout, shutdown), `buf` is unchanged.
async fn read_append<S: AsyncRead + Unpin>(stream: &mut S, buf: &mut Vec<u8>) -> io::Result<usize> {
    buf.reserve(READ_CHUNK);
    stream.read_buf(buf).await
}

fn outcome(read: Result<io::Result<usize>, tokio::time::error::Elapsed>) -> Result<usize, Stop> {
    match read {
        Ok(Ok(0)) => Err(Stop::Closed),
        Ok(Ok(n)) => Ok(n),
        Ok(Err(e)) => Err(Stop::Failed(e)),
        Err(_elapsed) => Err(Stop::TimedOut),
    }
}

fn broken() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the connection failed before")
}

/// Keeps client-supplied text in logs and replies printable and short.
pub fn sanitize(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[cfg(test)]
mod tests;
