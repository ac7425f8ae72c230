//! Outbound port 25: can this line open an SMTP connection to another mail server? Many
//! home and small-business lines have it blocked by the ISP, and then mail must go through
//! the ISP's smart host (a `[[route]]`). The test host is `[doctor] port25_test_host`, else
//! the first MX host of `port25_test_domain` (RFC 5321 §5.1) on port 25; it must greet with
//! 220 (RFC 5321 §4.2) within `[doctor] timeout`. A test host named by a name waits for the
//! DNS probe and is skipped when the DNS server does not answer.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use super::lookup::{Dns, Failure};
use super::{Check, Message, Status, dns_down};

pub(super) async fn check(config: &config::Config, dns: Option<&Dns>) -> Check {
    let timeout = config.doctor.timeout;
    let target = match target(config, dns).await {
        Ok(target) => target,
        Err(NoTarget::DnsDown) => return dns_down("port25"),
        Err(NoTarget::Why(e)) => {
            return Check::new(
                "port25",
                Status::Warning,
                Message::new("port25.no_target", &[]),
            )
            .detail("error", e);
        }
    };
    let (name, addr) = target;
    let host = format!("{name} [{}]:{}", addr.ip(), addr.port());
    let routed = config
        .routes
        .iter()
        .any(|r| r.domains.iter().any(|d| d == "*"));
    match greeting(addr, timeout).await {
        Ok(line) if line.starts_with("220") => Check::new(
            "port25",
            Status::Ok,
            Message::new("port25.ok", &[("host", &host)]),
        )
        .detail("host", &host)
        .detail("greeting", line),
        Ok(line) => Check::new(
            "port25",
            Status::Warning,
            Message::new("port25.not_greeted", &[("host", &host)]),
        )
        .detail("host", &host)
        .detail("greeting", line),
        Err(e) => {
            // With a catch-all route, mail does not need port 25 out.
            let (status, key) = if routed {
                (Status::Warning, "port25.blocked_routed")
            } else {
                (Status::Problem, "port25.blocked")
            };
            let check = Check::new("port25", status, Message::new(key, &[("host", &host)]))
                .detail("host", &host)
                .detail("error", e);
            if routed {
                check
            } else {
                check.fix(Message::new("fix.smart_host", &[]))
            }
        }
    }
}

/// Why there is no host to test.
enum NoTarget {
    /// The DNS server does not answer.
    DnsDown,
    Why(String),
}

impl From<&str> for NoTarget {
    fn from(why: &str) -> NoTarget {
        NoTarget::Why(why.to_string())
    }
}

impl From<String> for NoTarget {
    fn from(why: String) -> NoTarget {
        NoTarget::Why(why)
    }
}

/// The host name and address to test.
async fn target(
    config: &config::Config,
    dns: Option<&Dns>,
) -> Result<(String, SocketAddr), NoTarget> {
    let (name, port) = match &config.doctor.port25_test_host {
        Some(text) => {
            let (host, port) = text.rsplit_once(':').ok_or("no port")?;
            let port = port.parse::<u16>().map_err(|e| e.to_string())?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = host.parse() {
                return Ok((host.to_string(), SocketAddr::new(ip, port)));
            }
            (host.to_string(), port)
        }
        None => (config.doctor.port25_test_domain.clone(), 25),
    };
    let dns = dns.ok_or("DNS is not set up")?;
    if !dns.answering().await {
        return Err(NoTarget::DnsDown);
    }
    let found = if config.doctor.port25_test_host.is_some() {
        dns.addresses(&name)
            .await
            .map(|addrs| (name.clone(), addrs))
    } else {
        dns.hosts(&name)
            .await
            .map(|hosts| match hosts.into_iter().next() {
                Some(host) => (host.name, host.addrs),
                None => (name.clone(), Vec::new()),
            })
    };
    let (host, addrs) = found.map_err(|failure| match failure {
        Failure::NoAnswer => format!("no DNS answer for {name}"),
        Failure::Failed(e) => e,
    })?;
    let ip = addrs.first().copied().ok_or("the host has no address")?;
    Ok((host, SocketAddr::new(ip, port)))
}

/// The first line the server sends, within `timeout` for the connection and again for it.
async fn greeting(addr: SocketAddr, timeout: Duration) -> Result<String, String> {
    let mut stream = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| "timed out connecting".to_string())?
        .map_err(|e| format!("cannot connect: {e}"))?;
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 512];
        while !buf.contains(&b'\n') && buf.len() < 4096 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Ok::<_, std::io::Error>(())
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| "timed out waiting for the greeting".to_string())?
        .map_err(|e| format!("connection lost: {e}"))?;
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().next().unwrap_or("").trim().to_string();
    if line.is_empty() {
        return Err("the connection closed without a greeting".into());
    }
    Ok(crate::snippet(&line))
}
