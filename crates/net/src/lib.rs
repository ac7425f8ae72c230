//! Network plumbing shared by every protocol: listeners, TLS, connection limits, shutdown.
//!
//! # Layout
//! - `listener.rs`: binding (with plain errors such as "port 25 is in use") and the accept
//!   loop ([`serve`]) that applies the connection limits and implicit TLS.
//! - `stream.rs`: [`SessionStream`], plain or TLS, and the STARTTLS upgrade.
//! - `tls.rs`: rustls server config from PEM files, or a self-signed certificate made with rcgen
//!   on first start and kept in the data directory.
//! - `limit.rs`: per-IP and total connection limits.
//! - `shutdown.rs`: SIGINT/SIGTERM to a cancellation token.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// An address could not be bound; the text names the service, the address and why in
    /// plain words ("smtp: 0.0.0.0:25 is already in use by another program").
    #[error("{0}")]
    Bind(String),
    /// The certificate or key could not be loaded or made.
    #[error("{0}")]
    Tls(String),
}

/// A client connection, plain or TLS.
pub enum SessionStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl SessionStream {
    pub fn is_tls(&self) -> bool {
        matches!(self, SessionStream::Tls(_))
    }

    /// STARTTLS: runs the handshake on a plain stream. The caller must throw away any input it
    /// buffered before (RFC 3207 §4.2, command injection).
    pub async fn start_tls(self, acceptor: &TlsAcceptor) -> io::Result<SessionStream> {
        todo!()
    }

    /// The negotiated TLS version and cipher, for Received headers and logs.
    pub fn tls_info(&self) -> Option<String> {
        todo!()
    }
}

impl AsyncRead for SessionStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        todo!()
    }
}

impl AsyncWrite for SessionStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        todo!()
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        todo!()
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        todo!()
    }
}

/// rustls server configuration: from `tls.cert`/`tls.key` if set, else the self-signed
/// certificate in `data_dir/tls/` (made on first start for `hostname`).
pub fn server_tls(data_dir: &Path, tls: &config::Tls, hostname: &str) -> Result<Arc<rustls::ServerConfig>, NetError> {
    todo!()
}

/// Per-IP and total connection counting. Cheap to clone (shared counters).
#[derive(Clone)]
pub struct ConnLimiter {
    // helper
}

/// Held for the life of one connection; releases its slot on drop.
pub struct ConnGuard {
    // helper
}

impl ConnLimiter {
    pub fn new(per_ip: usize, total: usize) -> Self {
        todo!()
    }
    /// A slot for a connection from `ip`, or `None` when a limit is reached.
    pub fn try_acquire(&self, ip: std::net::IpAddr) -> Option<ConnGuard> {
        todo!()
    }
}

/// Binds every address of one service. Errors name the service and say why in plain words.
pub async fn bind(service: &str, addrs: &[SocketAddr]) -> Result<Vec<TcpListener>, NetError> {
    todo!()
}

/// How [`serve`] treats connections of one service.
#[derive(Clone)]
pub struct Service {
    /// "smtp", "submission", ...: for logs.
    pub name: &'static str,
    /// Implicit TLS (465, 993, 995): the handshake happens before the handler runs.
    pub implicit_tls: Option<TlsAcceptor>,
    /// Sent before closing a connection over the limits, e.g.
    /// `b"421 4.7.0 Too many connections from your address, try again later\r\n"`.
    pub busy_reply: &'static [u8],
}

/// Accepts connections until `shutdown` fires; each accepted connection (within limits, after
/// the implicit TLS handshake if any) runs `handler` on `tracker`. Sets TCP_NODELAY.
pub async fn serve<F, Fut>(
    listener: TcpListener,
    service: Service,
    limiter: ConnLimiter,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    handler: F,
) where
    F: Fn(SessionStream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    todo!()
}

/// A token cancelled on SIGINT or SIGTERM.
pub fn shutdown_on_signals() -> CancellationToken {
    todo!()
}
