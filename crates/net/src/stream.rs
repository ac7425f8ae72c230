//! [`SessionStream`]: one client connection, plain or TLS, and the STARTTLS upgrade.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

/// How long a client gets to finish a TLS handshake (STARTTLS or implicit TLS).
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// A client connection, plain or TLS.
pub enum SessionStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

/// How much a session asks for in one read ([`crate::session::Shell`]).
pub const READ_CHUNK: usize = 16 * 1024;

impl SessionStream {
    pub fn is_tls(&self) -> bool {
        matches!(self, SessionStream::Tls(_))
    }

    /// STARTTLS: runs the handshake on a plain stream. The caller must throw away any input it
    /// buffered before (RFC 3207 §4.2, command injection).
    ///
    /// Fails with `TimedOut` when the handshake takes longer than [`TLS_HANDSHAKE_TIMEOUT`],
    /// and with `InvalidInput` on a stream that is already TLS.
    pub async fn start_tls(self, acceptor: &TlsAcceptor) -> io::Result<SessionStream> {
        match self {
            SessionStream::Plain(tcp) => handshake(acceptor, tcp).await,
            SessionStream::Tls(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "TLS is already active",
            )),
        }
    }

    /// The negotiated TLS version and cipher, for Received headers and logs, e.g.
    /// "TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384".
    pub fn tls_info(&self) -> Option<String> {
        let SessionStream::Tls(tls) = self else {
            return None;
        };
        let (_, conn) = tls.get_ref();
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

/// The server side of a TLS handshake on `tcp`, bounded by [`TLS_HANDSHAKE_TIMEOUT`].
pub(crate) async fn handshake(acceptor: &TlsAcceptor, tcp: TcpStream) -> io::Result<SessionStream> {
    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => Ok(SessionStream::Tls(Box::new(tls))),
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
        match self.get_mut() {
            SessionStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            SessionStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for SessionStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            SessionStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            SessionStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Plain(s) => Pin::new(s).poll_flush(cx),
            SessionStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            SessionStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            SessionStream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            SessionStream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }
    fn is_write_vectored(&self) -> bool {
        match self {
            SessionStream::Plain(s) => s.is_write_vectored(),
            SessionStream::Tls(s) => s.is_write_vectored(),
        }
    }
}
