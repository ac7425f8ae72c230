//! The ETRN client (RFC 1985): connect to a backup MX over this crate's SMTP client, EHLO,
//! check that ETRN is advertised (§3), send `ETRN domain` for each domain (§5) and QUIT.
//! What a reply code means is the caller's business; this only reports them.

use std::net::SocketAddr;

use proto::smtp::Response;

use crate::Dns;
use crate::client::{COMMAND_TIMEOUT, Connection, Security};

/// The server's reply to `ETRN domain`, per domain in the order asked.
#[derive(Debug, Clone)]
pub struct EtrnReply {
    pub domain: String,
    pub reply: Response,
}

/// The answers of one session, with "name [ip]:port" of the peer for the log.
#[derive(Debug, Clone)]
pub struct EtrnSession {
    pub host: String,
    pub replies: Vec<EtrnReply>,
}

/// Why a session did not get as far as ETRN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtrnFailure {
    /// Name resolution, connection, greeting, EHLO or TLS failed.
    Connect(String),
    /// The server's EHLO reply does not list ETRN (RFC 1985 §3).
    NotAdvertised,
}

/// Runs one ETRN session with `host:port`, as `helo`; `starttls` requires STARTTLS with a
/// certificate verified against the public roots (RFC 3207).
pub async fn etrn(
    host: &str,
    port: u16,
    helo: &str,
    starttls: bool,
    domains: &[String],
    dns: &Dns,
) -> Result<EtrnSession, EtrnFailure> {
    let failed = |e: String| EtrnFailure::Connect(e);
    let addrs = dns.relay_addresses(host).await.map_err(failed)?;
    let ip = addrs
        .first()
        .ok_or_else(|| failed("the host name has no address".into()))?;
    let security = if starttls {
        Security::RequireStarttls(crate::tls::verifying(None).map_err(failed)?)
    } else {
        Security::Plain
    };
    let mut conn = Connection::open(host, SocketAddr::new(*ip, port), helo, security, None)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if !conn.ext.etrn {
        conn.quit().await;
        return Err(EtrnFailure::NotAdvertised);
    }
    let mut replies = Vec::with_capacity(domains.len());
    for domain in domains {
        // RFC 1985 §5: one command per domain (no "@" or "#" forms: whole domains only).
        match conn
            .command(&format!("ETRN {domain}"), COMMAND_TIMEOUT)
            .await
        {
            Ok(reply) => replies.push(EtrnReply {
                domain: domain.clone(),
                reply,
            }),
            Err(e) => return Err(failed(e.to_string())),
        }
    }
    let host = conn.host.clone();
    conn.quit().await;
    Ok(EtrnSession { host, replies })
}
