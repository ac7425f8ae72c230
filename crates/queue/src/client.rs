//! The SMTP client's connection: connect, greeting, EHLO (HELO fallback), STARTTLS, AUTH,
//! reading replies with `proto::smtp::parse_response`, and the timeouts of RFC 5321
//! §4.5.3.2. Sending a message over an open connection is `transaction.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proto::smtp::{Extensions, Response, ResponseStatus, parse_response};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::tls::Opportunistic;

/// RFC 5321 §4.5.3.2: 5 minutes for the greeting, MAIL, RCPT and other commands; 2 for the
/// DATA reply; 3 per data block sent; 10 for the reply after the final dot.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
pub(crate) const DATA_INIT_TIMEOUT: Duration = Duration::from_secs(120);
pub(crate) const DATA_BLOCK_TIMEOUT: Duration = Duration::from_secs(180);
pub(crate) const DATA_END_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a TCP connect (and a TLS handshake) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a connection or a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The network failed or the peer hung up; the text says which.
    #[error("{0}")]
    Io(String),
    /// The peer took too long.
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    /// The peer answered, but not what the step needs (e.g. 554 greeting, 535 AUTH).
    #[error("{}", .0.one_line())]
    Refused(Response),
    /// The peer does not speak SMTP, or TLS/AUTH requirements are not met.
    #[error("{0}")]
    Protocol(String),
}

impl ClientError {
    /// Whether the failure is permanent: only a 5xx answer is.
    pub fn is_permanent(&self) -> bool {
        matches!(self, ClientError::Refused(r) if r.is_permanent())
    }
}

/// Any byte stream: TCP, or TLS over TCP.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// How to secure a connection.
pub(crate) enum Security<'a> {
    /// STARTTLS must be offered and succeed, verifying with this config.
    RequireStarttls(Arc<rustls::ClientConfig>),
    /// TLS from the first byte, verifying with this config.
    Implicit(Arc<rustls::ClientConfig>),
    /// STARTTLS when offered, any certificate (MX hosts).
    Opportunistic(&'a Opportunistic),
    /// Never TLS.
    Plain,
}

/// An open SMTP connection, ready for MAIL.
pub(crate) struct Connection {
    stream: Box<dyn Io>,
    buf: Vec<u8>,
    pub ext: Extensions,
    /// "name [ip]:port", for logs and the attempt history.
    pub host: String,
    /// "TLSv1.3, certificate verified", or `None` for plain text.
    pub tls: Option<String>,
    /// A transaction was left half-way: send RSET before the next MAIL.
    pub needs_rset: bool,
}

impl Connection {
    /// Connects to `addr` (the host `name`), reads the greeting, says EHLO as `helo`,
    /// secures the connection and logs in as `security` and `auth` say.
    pub async fn open(
        name: &str,
        addr: SocketAddr,
        helo: &str,
        security: Security<'_>,
        auth: Option<(&str, &str)>,
    ) -> Result<Connection, ClientError> {
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| ClientError::Timeout("the connection"))?
            .map_err(|e| ClientError::Io(format!("cannot connect: {e}")))?;
        let _ = tcp.set_nodelay(true);
        let server_name = server_name(name, addr);
        let mut conn = Connection {
            stream: Box::new(tcp),
            buf: Vec::with_capacity(4096),
            ext: Extensions::default(),
            host: format!("{name} [{}]:{}", addr.ip(), addr.port()),
            tls: None,
            needs_rset: false,
        };
        if let Security::Implicit(config) = &security {
            conn.handshake(config.clone(), server_name.clone(), None)
                .await?;
        }
        let greeting = conn.read(COMMAND_TIMEOUT, "the greeting").await?;
        if greeting.code != 220 {
            return Err(ClientError::Refused(greeting));
        }
        conn.ehlo(helo).await?;
        match &security {
            Security::RequireStarttls(config) => {
                if !conn.ext.starttls {
                    return Err(ClientError::Protocol(
                        "the relay does not offer STARTTLS, which this route requires".into(),
                    ));
                }
                conn.starttls(config.clone(), server_name, None).await?;
                conn.ehlo(helo).await?;
            }
            Security::Opportunistic(opp) if conn.ext.starttls => {
                conn.starttls(opp.config.clone(), server_name, Some(opp))
                    .await?;
                conn.ehlo(helo).await?;
            }
            _ => {}
        }
        if let Some((user, password)) = auth {
            conn.login(user, password).await?;
        }
        Ok(conn)
    }

    /// EHLO, or HELO when EHLO is refused (RFC 5321 §3.2).
    async fn ehlo(&mut self, helo: &str) -> Result<(), ClientError> {
        let reply = self
            .command(&format!("EHLO {helo}"), COMMAND_TIMEOUT)
            .await?;
        if reply.code == 250 {
            self.ext = Extensions::parse(&reply);
            return Ok(());
        }
        let reply = self
            .command(&format!("HELO {helo}"), COMMAND_TIMEOUT)
            .await?;
        if reply.code != 250 {
            return Err(ClientError::Refused(reply));
        }
        self.ext = Extensions::default();
        Ok(())
    }

    /// RFC 3207: STARTTLS, 220, then the handshake; what was known before is forgotten.
    async fn starttls(
        &mut self,
        config: Arc<rustls::ClientConfig>,
        name: ServerName<'static>,
        opportunistic: Option<&Opportunistic>,
    ) -> Result<(), ClientError> {
        let reply = self.command("STARTTLS", COMMAND_TIMEOUT).await?;
        if reply.code != 220 {
            return Err(ClientError::Refused(reply));
        }
        if !self.buf.is_empty() {
            // Bytes after the 220 before the handshake: an injection attempt.
            return Err(ClientError::Protocol(
                "the server sent data after its STARTTLS reply".into(),
            ));
        }
        self.handshake(config, name, opportunistic).await
    }

    async fn handshake(
        &mut self,
        config: Arc<rustls::ClientConfig>,
        name: ServerName<'static>,
        opportunistic: Option<&Opportunistic>,
    ) -> Result<(), ClientError> {
        let plain = std::mem::replace(
            &mut self.stream,
            Box::new(tokio::io::join(tokio::io::empty(), tokio::io::sink())),
        );
        let connector = TlsConnector::from(config);
        let tls = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name.clone(), plain))
            .await
            .map_err(|_| ClientError::Timeout("the TLS handshake"))?
            .map_err(|e| ClientError::Protocol(format!("TLS handshake failed: {e}")))?;
        let (_, session) = tls.get_ref();
        let version = match session.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            _ => "TLS",
        };
        let verified = match opportunistic {
            None => true,
            Some(opp) => opp.verifies(session.peer_certificates().unwrap_or_default(), &name),
        };
        self.tls = Some(format!(
            "{version}, certificate {}",
            if verified { "verified" } else { "not verified" }
        ));
        self.stream = Box::new(tls);
        self.ext = Extensions::default();
        Ok(())
    }

    /// AUTH PLAIN (RFC 4616) if offered, else LOGIN.
    pub(crate) async fn login(&mut self, user: &str, password: &str) -> Result<(), ClientError> {
        if self.tls.is_none() {
            tracing::warn!(host = %self.host, "sending AUTH over a connection without TLS");
        }
        let reply = if self.ext.auth.iter().any(|m| m == "PLAIN") {
            let token = STANDARD.encode(format!("\0{user}\0{password}"));
            self.command(&format!("AUTH PLAIN {token}"), COMMAND_TIMEOUT)
                .await?
        } else if self.ext.auth.iter().any(|m| m == "LOGIN") {
            let reply = self.command("AUTH LOGIN", COMMAND_TIMEOUT).await?;
            if reply.code != 334 {
                return Err(ClientError::Refused(reply));
            }
            let reply = self
                .command(&STANDARD.encode(user), COMMAND_TIMEOUT)
                .await?;
            if reply.code != 334 {
                return Err(ClientError::Refused(reply));
            }
            self.command(&STANDARD.encode(password), COMMAND_TIMEOUT)
                .await?
        } else {
            return Err(ClientError::Protocol(
                "the relay offers neither AUTH PLAIN nor AUTH LOGIN".into(),
            ));
        };
        if reply.code != 235 {
            // The reply text may echo nothing secret; the credentials were base64 only.
            return Err(ClientError::Refused(reply));
        }
        Ok(())
    }

    /// Sends one command line and reads its reply.
    pub async fn command(
        &mut self,
        line: &str,
        timeout: Duration,
    ) -> Result<Response, ClientError> {
        self.send(format!("{line}\r\n").as_bytes()).await?;
        self.read(timeout, "a reply").await
    }

    /// Writes bytes (one data block's timeout).
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        let write = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(DATA_BLOCK_TIMEOUT, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ClientError::Io(format!("connection lost: {e}"))),
            Err(_) => Err(ClientError::Timeout("the peer to take data")),
        }
    }

    /// Reads one reply.
    pub async fn read(
        &mut self,
        timeout: Duration,
        what: &'static str,
    ) -> Result<Response, ClientError> {
        loop {
            match parse_response(&self.buf) {
                ResponseStatus::Complete { response, consumed } => {
                    self.buf.drain(..consumed);
                    return Ok(response);
                }
                ResponseStatus::Invalid => {
                    return Err(ClientError::Protocol(
                        "the peer's reply is not valid SMTP".into(),
                    ));
                }
                ResponseStatus::Incomplete => {}
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout(timeout, self.stream.read(&mut chunk))
                .await
                .map_err(|_| ClientError::Timeout(what))?
                .map_err(|e| ClientError::Io(format!("connection lost: {e}")))?;
            if n == 0 {
                return Err(ClientError::Io(format!(
                    "connection closed by the peer while waiting for {what}"
                )));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// QUIT, politely and briefly.
    pub async fn quit(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            if self.command("QUIT", COMMAND_TIMEOUT).await.is_ok() {
                let _ = self.stream.shutdown().await;
            }
        })
        .await;
    }
}

/// The TLS server name: the host name, or the address when the name is an IP.
fn server_name(name: &str, addr: SocketAddr) -> ServerName<'static> {
    ServerName::try_from(name.trim_end_matches('.').to_string())
        .unwrap_or_else(|_| ServerName::IpAddress(addr.ip().into()))
}
