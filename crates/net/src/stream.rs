//! [`SessionStream`]: one client connection, plain or TLS, and the STARTTLS upgrade.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

/// How long a client gets to finish a TLS handshake (STARTTLS or implicit TLS).
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// A client connection, plain or TLS.
pub enum SessionStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    /// An in-memory connection: unit tests drive a whole session through it (the test holds
    /// the other end of the duplex). Plain; STARTTLS turns it into [`SessionStream::MemoryTls`].
    Memory(DuplexStream),
    MemoryTls(Box<tokio_rustls::server::TlsStream<DuplexStream>>),
}

/// Runs `$body` with `$s` bound to the inner stream of whichever variant `$stream` is.
macro_rules! each {
    ($stream:expr, $s:ident => $body:expr) => {
        match $stream {
            SessionStream::Plain($s) => $body,
            SessionStream::Tls($s) => $body,
            SessionStream::Memory($s) => $body,
            SessionStream::MemoryTls($s) => $body,
        }
    };
}

/// How much a session asks for in one read ([`crate::session::Shell`]).
pub const READ_CHUNK: usize = 16 * 1024;

impl SessionStream {
    pub fn is_tls(&self) -> bool {
        matches!(self, SessionStream::Tls(_) | SessionStream::MemoryTls(_))
    }

    /// STARTTLS: runs the handshake on a plain stream. The caller must throw away any input it
    /// buffered before (RFC 3207 §4.2, command injection).
    ///
    /// Fails with `TimedOut` when the handshake takes longer than [`TLS_HANDSHAKE_TIMEOUT`],
    /// and with `InvalidInput` on a stream that is already TLS.
    pub async fn start_tls(self, acceptor: &TlsAcceptor) -> io::Result<SessionStream> {
        match self {
            SessionStream::Plain(tcp) => handshake(acceptor, tcp).await,
            SessionStream::Memory(duplex) => accept(acceptor, duplex)
                .await
                .map(|tls| SessionStream::MemoryTls(Box::new(tls))),
            SessionStream::Tls(_) | SessionStream::MemoryTls(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "TLS is already active",
            )),
        }
    }

    /// Acknowledges what arrived at once instead of after the delayed-ACK timer, for a
    /// session waiting for the rest of a command the client writes in pieces (an IMAP
    /// literal, then its CRLF). A client with Nagle's algorithm on (Python's imaplib, and
    /// most clients that do not set TCP_NODELAY) holds its small last piece until what it
    /// sent before is acknowledged, so every such command would wait for the server's delayed
    /// ACK (about 40 ms on Linux, up to 200 ms on Windows). Dovecot sets TCP_QUICKACK after
    /// each response it sends for the same reason.
    ///
    /// Linux and Android: TCP_QUICKACK, which sends a pending ACK now and leaves the delayed
    /// mode until the kernel re-enters it (so it is set each time the session waits).
    /// Windows: `SIO_TCP_SET_ACK_FREQUENCY` = 1, which acknowledges every segment on this
    /// socket from then on. Elsewhere (macOS, the BSDs: no per-socket switch) nothing.
    /// Best effort: a failure only costs latency, so it is logged at debug level.
    pub fn ack_promptly(&self) {
        let tcp = match self {
            SessionStream::Plain(tcp) => tcp,
            SessionStream::Tls(tls) => tls.get_ref().0,
            SessionStream::Memory(_) | SessionStream::MemoryTls(_) => return,
        };
        if let Err(e) = quick_ack(tcp) {
            tracing::debug!(error = %e, "cannot ask for prompt ACKs");
        }
    }

    /// The negotiated TLS version and cipher, for Received headers and logs, e.g.
    /// "TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384".
    pub fn tls_info(&self) -> Option<String> {
        let conn = match self {
            SessionStream::Tls(tls) => tls.get_ref().1,
            SessionStream::MemoryTls(tls) => tls.get_ref().1,
            SessionStream::Plain(_) | SessionStream::Memory(_) => return None,
        };
        let version = match conn.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
            other => format!("{other:?}"),
        };
        let suite = conn.negotiated_cipher_suite()?.suite();
        let cipher = suite
            .as_str()
            .map_or_else(|| format!("{suite:?}"), str::to_string);
        Some(format!("{version} with cipher {cipher}"))
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn quick_ack(tcp: &TcpStream) -> io::Result<()> {
    socket2::SockRef::from(tcp).set_tcp_quickack(true)
}

#[cfg(windows)]
fn quick_ack(tcp: &TcpStream) -> io::Result<()> {
    crate::windows::ack_every_segment(tcp)
}

#[cfg(not(any(target_os = "linux", target_os = "android", windows)))]
fn quick_ack(_tcp: &TcpStream) -> io::Result<()> {
    Ok(())
}

/// The server side of a TLS handshake on `tcp`, bounded by [`TLS_HANDSHAKE_TIMEOUT`].
pub(crate) async fn handshake(acceptor: &TlsAcceptor, tcp: TcpStream) -> io::Result<SessionStream> {
    accept(acceptor, tcp)
        .await
        .map(|tls| SessionStream::Tls(Box::new(tls)))
}

/// The server side of a TLS handshake on any stream, bounded by [`TLS_HANDSHAKE_TIMEOUT`].
async fn accept<IO: AsyncRead + AsyncWrite + Unpin>(
    acceptor: &TlsAcceptor,
    io: IO,
) -> io::Result<tokio_rustls::server::TlsStream<IO>> {
    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(io)).await {
        Ok(Ok(tls)) => Ok(tls),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        )),
    }
}

impl AsyncRead for SessionStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each!(self.get_mut(), s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for SessionStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each!(self.get_mut(), s => Pin::new(s).poll_write(cx, buf))
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self.get_mut(), s => Pin::new(s).poll_flush(cx))
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self.get_mut(), s => Pin::new(s).poll_shutdown(cx))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        each!(self.get_mut(), s => Pin::new(s).poll_write_vectored(cx, bufs))
    }
    fn is_write_vectored(&self) -> bool {
        each!(self, s => s.is_write_vectored())
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use tokio::net::{TcpListener, TcpStream};

    use super::SessionStream;

    /// TCP_QUICKACK reads back as "not in delayed-ACK (pingpong) mode"; setting it to 0 puts
    /// a socket in that mode, as answering a client's data quickly does.
    #[tokio::test]
    async fn ack_promptly_takes_the_socket_out_of_delayed_ack_mode() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let _client = TcpStream::connect(addr).await.expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        let socket = socket2::SockRef::from(&server);
        socket
            .set_tcp_quickack(false)
            .expect("enter delayed-ACK mode");
        assert!(!socket.tcp_quickack().expect("read"));
        let stream = SessionStream::Plain(server);
        stream.ack_promptly();
        let SessionStream::Plain(server) = &stream else {
            unreachable!()
        };
        assert!(socket2::SockRef::from(server).tcp_quickack().expect("read"));
    }
}
