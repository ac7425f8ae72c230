//! The byte stream under the POP3 and IMAP clients: TCP, implicit TLS or an upgrade after
//! STLS/STARTTLS, CRLF lines and counted reads (IMAP literals), each with a timeout.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use config::{Collect, CollectTls};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::CollectError;
use crate::ErrorKind;

/// How long a TCP connect, a TLS handshake, or one read or write may take.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(120);

/// The longest line we buffer: protocol lines are short, message lines (POP3 RETR) are at
/// most 998 octets by RFC 5322 §2.1.1, but real mail breaks that; past this it is an error.
const MAX_LINE: usize = 1024 * 1024;

/// Any byte stream: TCP, or TLS over TCP.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A connection with a read buffer.
pub(crate) struct Conn {
    stream: Box<dyn Io>,
    host: String,
    buf: Vec<u8>,
    /// Where unread bytes start in `buf`.
    start: usize,
}

/// A read or write that failed, with its kind.
fn io_failed(e: std::io::Error) -> CollectError {
    CollectError::Io(
        format!("the connection failed: {e}"),
        ErrorKind::from_io(&e),
    )
}

/// A verifying TLS client config: the certificates in `ca` if given, else the public roots.
pub(crate) fn tls_config(ca: Option<&Path>) -> Result<Arc<ClientConfig>, CollectError> {
    if let Some(ca) = ca {
        return net::client_tls_trusting(ca).map_err(|e| CollectError::Tls(e.to_string()));
    }
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| CollectError::Tls(format!("TLS setup failed: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

impl Conn {
    /// Connects to the job's server; with implicit TLS, the handshake too.
    pub(crate) async fn open(
        job: &Collect,
        tls: &Option<Arc<ClientConfig>>,
    ) -> Result<Conn, CollectError> {
        let mut conn = Conn::connect(&job.host, job.port).await?;
        if let (CollectTls::Implicit, Some(config)) = (job.tls, tls) {
            conn.start_tls(config.clone()).await?;
        }
        Ok(conn)
    }

    /// Looks the host up, then connects to its addresses in turn; a failed look-up is
    /// told apart from a failed connection (whose kind is its `io::ErrorKind`).
    async fn connect(host: &str, port: u16) -> Result<Conn, CollectError> {
        let open = async {
            let not_found = |why: String| {
                CollectError::Io(
                    format!("cannot find {host}: {why}"),
                    ErrorKind::HostNotFound,
                )
            };
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| not_found(e.to_string()))?
                .collect();
            if addrs.is_empty() {
                return Err(not_found("the name has no address".into()));
            }
            TcpStream::connect(&addrs[..]).await.map_err(|e| {
                let kind = ErrorKind::from_io(&e);
                CollectError::Io(format!("cannot connect to {host}:{port}: {e}"), kind)
            })
        };
        let stream = tokio::time::timeout(TIMEOUT, open)
            .await
            .map_err(|_| CollectError::Timeout("the connection"))??;
        Ok(Conn {
            stream: Box::new(stream),
            host: host.to_string(),
            buf: Vec::new(),
            start: 0,
        })
    }

    /// The TLS handshake, verifying the certificate for the host name. Bytes the server sent
    /// before it (after its STLS/STARTTLS answer) would be an injection: refused.
    pub(crate) async fn start_tls(
        &mut self,
        config: Arc<ClientConfig>,
    ) -> Result<(), CollectError> {
        if self.start < self.buf.len() {
            return Err(CollectError::Protocol(
                "the server sent data before the TLS handshake".into(),
            ));
        }
        let name = ServerName::try_from(self.host.clone())
            .map_err(|_| CollectError::Tls(format!("`{}` is not a valid TLS name", self.host)))?;
        let plain = std::mem::replace(
            &mut self.stream,
            Box::new(tokio::io::join(tokio::io::empty(), tokio::io::sink())),
        );
        let tls = tokio::time::timeout(TIMEOUT, TlsConnector::from(config).connect(name, plain))
            .await
            .map_err(|_| CollectError::Timeout("the TLS handshake"))?
            .map_err(|e| CollectError::Tls(format!("TLS handshake failed: {e}")))?;
        self.stream = Box::new(tls);
        Ok(())
    }

    pub(crate) async fn send(&mut self, bytes: &[u8]) -> Result<(), CollectError> {
        let write = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        tokio::time::timeout(TIMEOUT, write)
            .await
            .map_err(|_| CollectError::Timeout("sending a command"))?
            .map_err(io_failed)
    }

    /// One line without its CRLF (a bare LF ends a line too).
    pub(crate) async fn read_line(&mut self) -> Result<Vec<u8>, CollectError> {
        // How far past `start` we looked already (`fill` moves `start` to 0).
        let mut searched = 0;
        loop {
            let unread = &self.buf[self.start..];
            if let Some(at) = unread[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + at;
                let mut line = unread[..end].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.start += end + 1;
                return Ok(line);
            }
            searched = unread.len();
            if searched > MAX_LINE {
                return Err(CollectError::Protocol(format!(
                    "the server sent a line longer than {MAX_LINE} bytes"
                )));
            }
            self.fill().await?;
        }
    }

    /// Exactly `n` bytes (an IMAP literal, RFC 9051 §4.3).
    pub(crate) async fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, CollectError> {
        while self.buf.len() - self.start < n {
            self.fill().await?;
        }
        let out = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        Ok(out)
    }

    /// Reads more bytes into the buffer, first dropping what was consumed.
    async fn fill(&mut self) -> Result<(), CollectError> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = tokio::time::timeout(TIMEOUT, self.stream.read(&mut chunk))
            .await
            .map_err(|_| CollectError::Timeout("the server's answer"))?
            .map_err(io_failed)?;
        if n == 0 {
            return Err(CollectError::Io(
                "the server closed the connection".into(),
                ErrorKind::ConnectionLost,
            ));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Conn, ErrorKind};

    #[tokio::test]
    async fn a_closed_port_is_refused_and_a_hang_up_is_a_lost_connection() {
        // A port nothing listens on any more: the kernel answers the SYN with a RST.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        drop(listener);
        let error = Conn::connect("127.0.0.1", port)
            .await
            .err()
            .expect("refused");
        assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error}");
        assert!(
            error
                .to_string()
                .starts_with("cannot connect to 127.0.0.1:")
        );

        // A server that accepts and closes at once.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move { drop(listener.accept().await) });
        let mut conn = Conn::connect("127.0.0.1", port).await.expect("connects");
        server.await.expect("server");
        let error = conn.read_line().await.expect_err("closed");
        assert_eq!(error.kind(), ErrorKind::ConnectionLost, "{error}");
    }
}
