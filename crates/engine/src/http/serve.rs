//! The accept loop of one admin listener. Idle or slow clients must not hold what the mail
//! services need (file descriptors, tasks): at most [`MAX_CONNECTIONS`] admin connections
//! are open at once (over all admin listeners, [`MAX_PER_IP`] from one address; more are
//! closed as soon as they are accepted), a TLS handshake (non-loopback listeners) has
//! [`HANDSHAKE_TIMEOUT`], and hyper closes a connection that does not finish a request's
//! headers within [`HEADER_TIMEOUT`], idle keep-alive connections included.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::response::Response;
use axum::{Extension, Router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::{Admin, Https, Peer};

/// Admin connections open at once, over every admin listener: a panel in a few browser tabs
/// uses a dozen.
pub(super) const MAX_CONNECTIONS: usize = 64;
/// Admin connections from one address.
pub(super) const MAX_PER_IP: usize = 32;
/// Time for a request's headers, from when the connection is ready for one.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long open connections may finish their requests once the listener stops.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

impl Admin {
    /// Serves one listener until `stop`: plain HTTP on loopback, HTTPS elsewhere (config
    /// validation allows other addresses only with a certificate).
    pub(crate) async fn serve(self, listener: TcpListener, stop: CancellationToken) {
        let loopback = listener
            .local_addr()
            .is_ok_and(|addr| addr.ip().is_loopback());
        let tls = (!loopback).then(|| self.engine.shared.runtime.acceptor.clone());
        let app = self.router().layer(Extension(Https(!loopback)));
        // Aborted when dropped: connections still open after the drain end with the loop.
        let mut connections = JoinSet::new();
        loop {
            let (tcp, peer) = tokio::select! {
                _ = stop.cancelled() => break,
                Some(_) = connections.join_next(), if !connections.is_empty() => continue,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, say: wait instead of spinning.
                        tracing::warn!(service = "admin", error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let Some(slot) = self.state().connections.try_acquire(peer.ip()) else {
                tracing::debug!(service = "admin", %peer, "too many admin connections; closed");
                continue;
            };
            let (app, tls, stop) = (app.clone(), tls.clone(), stop.clone());
            connections.spawn(async move {
                let _slot = slot;
                let Some(acceptor) = tls else {
                    return serve_connection(tcp, peer, app, stop).await;
                };
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => serve_connection(stream, peer, app, stop).await,
                    _ => tracing::info!(service = "admin", %peer, "TLS handshake failed"),
                }
            });
        }
        let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::debug!(service = "admin", "closing admin connections still open");
        }
    }
}

/// HTTP/1.1 on one connection until the client leaves, a timeout, or `stop` (then the
/// request in progress is finished first).
async fn serve_connection<S>(stream: S, peer: SocketAddr, app: Router, stop: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(Peer(peer)));
        let request = request.map(axum::body::Body::new);
        let app = app.clone();
        async move {
            let response: Result<Response, Infallible> = app.oneshot(request).await;
            response
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(service = "admin", %peer, error = %e, "admin connection ended");
    }
}
