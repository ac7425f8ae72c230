//! Binding listeners with plain-word errors, and the accept loop [`serve`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::{ConnLimiter, NetError, SessionStream, stream};

/// How long a refused client gets to take its refusal.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause after a failed accept (out of file descriptors, ...), so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
const BACKLOG: i32 = 1024;

/// Binds every address of one service. Errors name the service and say why in plain words.
///
/// IPv6 addresses are bound IPv6-only, so `0.0.0.0:25` and `[::]:25` can be listed together.
pub async fn bind(service: &str, addrs: &[SocketAddr]) -> Result<Vec<TcpListener>, NetError> {
    addrs
        .iter()
        .map(|addr| bind_one(*addr).map_err(|e| bind_error(service, *addr, &e)))
        .collect()
}

fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // Lets a restarted server bind while old connections sit in TIME_WAIT. On Windows the
    // option would let another program take the port, so it stays off there.
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    TcpListener::from_std(socket.into())
}

/// Binds one address. The error is a short reason for a status page, in plain words:
/// "port 25 is in use", "port 25 needs administrator rights".
pub fn bind_addr(addr: SocketAddr) -> Result<TcpListener, String> {
    bind_one(addr).map_err(|e| bind_reason(addr, &e))
}

fn bind_reason(addr: SocketAddr, e: &io::Error) -> String {
    let port = addr.port();
    match e.kind() {
        io::ErrorKind::AddrInUse => format!("port {port} is in use"),
        io::ErrorKind::PermissionDenied if port < 1024 => {
            format!("port {port} needs administrator rights")
        }
        io::ErrorKind::PermissionDenied => format!("no permission to listen on port {port}"),
        io::ErrorKind::AddrNotAvailable => {
            format!("{} is not an address of this computer", addr.ip())
        }
        _ => format!("cannot listen on {addr}: {e}"),
    }
}

fn bind_error(service: &str, addr: SocketAddr, e: &io::Error) -> NetError {
    NetError::Bind(format!("{service}: {addr}: {}", bind_reason(addr, e)))
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
    /// Not sent on implicit TLS services, where the client expects a TLS handshake first.
    pub busy_reply: &'static [u8],
}

/// Accepts connections until `shutdown` fires; each accepted connection (within limits, after
/// the implicit TLS handshake if any) runs `handler` on `tracker`. Sets TCP_NODELAY.
///
/// Returning closes the listener; connections already running go on until their handlers
/// return. The caller closes and waits on `tracker` (it may be shared by several services).
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
    let handler = Arc::new(handler);
    let name = service.name;
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(service = name, error = %e, "accepting a connection failed");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(ACCEPT_ERROR_PAUSE) => continue,
                }
            }
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(service = name, %peer, error = %e, "cannot set TCP_NODELAY");
        }
        let Some(guard) = limiter.try_acquire(peer.ip()) else {
            tracing::info!(service = name, %peer, "connection refused: too many connections");
            if service.implicit_tls.is_none() {
                tracker.spawn(refuse_and_close(tcp, service.busy_reply));
            }
            continue;
        };
        let handler = Arc::clone(&handler);
        let acceptor = service.implicit_tls.clone();
        tracker.spawn(async move {
            // Held until the handler returns.
            let _guard = guard;
            let stream = match acceptor {
                None => SessionStream::Plain(tcp),
                Some(acceptor) => match stream::handshake(&acceptor, tcp).await {
                    Ok(stream) => stream,
                    Err(e) => {
                        tracing::debug!(service = name, %peer, error = %e, "TLS handshake failed");
                        return;
                    }
                },
            };
            handler(stream, peer).await;
        });
    }
    tracing::debug!(service = name, "stopped accepting connections");
}

/// Writes `reply` (a refusal: the busy reply, SMTP's 421 while paused) and closes the
/// connection, giving up after a few seconds: the client is refused either way, so a failure
/// is only logged.
pub async fn refuse_and_close<S: AsyncWrite + Unpin>(mut stream: S, reply: &[u8]) {
    let sent = tokio::time::timeout(REFUSAL_TIMEOUT, async {
        stream.write_all(reply).await?;
        stream.shutdown().await
    })
    .await;
    if let Ok(Err(e)) = sent {
        tracing::debug!(error = %e, "sending a refusal failed");
    }
}

#[cfg(test)]
mod tests;
