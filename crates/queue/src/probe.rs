//! Checking a `[[route]]` without sending mail, for the connectivity doctor: connect to each
//! relay host, read the greeting, EHLO, secure the connection as the route says (STARTTLS,
//! RFC 3207, or implicit TLS, RFC 8314) and log in (RFC 4954), then QUIT. The same client as
//! delivery (`client.rs`), so what the probe finds is what delivery will meet.

use std::net::SocketAddr;

use config::{Route, RouteTls};

use crate::client::{ClientError, Connection, Security};
use crate::mx::Dns;

/// The step a relay probe failed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeStage {
    /// DNS, TCP, or the greeting and EHLO.
    Connect,
    /// STARTTLS or the TLS handshake.
    Tls,
    /// AUTH was refused.
    Auth,
}

/// What probing one relay host found.
#[derive(Debug, Clone)]
pub struct RelayProbe {
    /// "host:port" as the route names it.
    pub relay: String,
    /// "TLSv1.3, certificate verified", or `None` for plain text.
    pub tls: Option<String>,
    /// Whether the relay accepted the route's credentials (`None`: the route has none).
    pub auth: Option<bool>,
    /// Where and why it failed, if it did.
    pub failure: Option<(ProbeStage, String)>,
}

/// Probes every relay host of `route`, in order, with `helo` as our name.
pub async fn probe_route(route: &Route, helo: &str, dns: &Dns) -> Vec<RelayProbe> {
    let credentials = route
        .username
        .as_deref()
        .zip(route.password.as_ref().map(|p| p.0.as_str()));
    let mut found = Vec::with_capacity(route.relay.len());
    for relay in &route.relay {
        let mut probe = RelayProbe {
            relay: relay.to_string(),
            tls: None,
            auth: None,
            failure: None,
        };
        match one(route, &relay.host, relay.port, helo, dns, credentials).await {
            Ok((tls, auth)) => {
                probe.tls = tls;
                probe.auth = auth;
            }
            Err((stage, why)) => {
                probe.auth = (stage == ProbeStage::Auth).then_some(false);
                probe.failure = Some((stage, why));
            }
        }
        found.push(probe);
    }
    found
}

type Probed = Result<(Option<String>, Option<bool>), (ProbeStage, String)>;

async fn one(
    route: &Route,
    host: &str,
    port: u16,
    helo: &str,
    dns: &Dns,
    credentials: Option<(&str, &str)>,
) -> Probed {
    let connect = |why: String| (ProbeStage::Connect, why);
    let addrs = dns.relay_addresses(host).await.map_err(connect)?;
    let ip = addrs
        .first()
        .ok_or_else(|| connect("the host name has no address".into()))?;
    let tls_config = match route.tls {
        RouteTls::None => None,
        _ => Some(crate::tls::verifying(route.ca.as_deref()).map_err(|e| (ProbeStage::Tls, e))?),
    };
    let security = match (route.tls, tls_config) {
        (RouteTls::Starttls, Some(config)) => Security::RequireStarttls(config),
        (RouteTls::Implicit, Some(config)) => Security::Implicit(config),
        _ => Security::Plain,
    };
    let addr = SocketAddr::new(*ip, port);
    let mut conn = Connection::open(host, addr, helo, security, None)
        .await
        .map_err(|e| (stage_of(&e), e.to_string()))?;
    let auth = match credentials {
        None => None,
        Some((user, password)) => {
            if let Err(e) = conn.login(user, password).await {
                conn.quit().await;
                return Err((ProbeStage::Auth, e.to_string()));
            }
            Some(true)
        }
    };
    let tls = conn.tls.clone();
    conn.quit().await;
    Ok((tls, auth))
}

/// Which step an error of `Connection::open` (without AUTH) comes from.
fn stage_of(e: &ClientError) -> ProbeStage {
    match e {
        ClientError::Protocol(text) if text.contains("TLS") => ProbeStage::Tls,
        ClientError::Timeout(what) if what.contains("TLS") => ProbeStage::Tls,
        _ => ProbeStage::Connect,
    }
}
