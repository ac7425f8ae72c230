//! The tray app as the client of its engine (its own `postroom serve` or the system's
//! service): HTTP/1.1 over loopback to the admin listener named in the data directory's
//! `engine-control` file, with its bearer token.
//! Small requests only (status, receiving), so one connection per request, closed by the
//! server after the answer.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read (a status is a few KiB).
const MAX_ANSWER: u64 = 4 << 20;

#[derive(Clone)]
pub struct Client {
    /// The engine's loopback admin listener.
    pub admin: SocketAddr,
    token: String,
}

impl Client {
    /// Reads `engine-control` in `data_dir`; the error says why in plain words.
    pub fn connect(data_dir: &Path) -> Result<Client, String> {
        let control = engine::read_control(data_dir).map_err(|e| {
            format!(
                "the mail server is not running or this user cannot read {}: {e}",
                data_dir.join(engine::CONTROL_FILE).display()
            )
        })?;
        let admin = control
            .url
            .strip_prefix("http://")
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .filter(|a| a.ip().is_loopback())
            .ok_or_else(|| format!("the engine's admin address is not local: {}", control.url))?;
        Ok(Client {
            admin,
            token: control.token,
        })
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        self.request("GET", path, None).await
    }

    pub async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, String> {
        self.request("PUT", path, Some(body.to_string())).await
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, String> {
        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(self.admin).await?;
            let body = body.unwrap_or_default();
            let host = self.admin;
            let head = format!(
                "{method} {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\
                 Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                self.token,
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await?;
            let mut answer = Vec::new();
            stream.take(MAX_ANSWER).read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(answer)
        };
        let answer = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| "the mail server does not answer".to_string())?
            .map_err(|e| format!("cannot reach the mail server: {e}"))?;
        let (status, body) = parse_answer(&answer)?;
        if !(200..300).contains(&status) {
            return Err(format!(
                "the mail server answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        serde_json::from_slice(&body).map_err(|e| format!("unexpected answer: {e}"))
    }
}

/// The status code and the body of an HTTP/1.1 answer read to its end (chunked or not).
fn parse_answer(answer: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let bad = || "not an HTTP answer".to_string();
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&answer[..end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let body = &answer[end + 4..];
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if !chunked {
        return Ok((status, body.to_vec()));
    }
    // RFC 9112 §7.1: size in hex (extensions after ';'), CRLF, data, CRLF; size 0 ends.
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad())?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok((status, out));
        }
        let chunk = rest.get(..size).ok_or_else(bad)?;
        out.extend_from_slice(chunk);
        rest = rest.get(size + 2..).ok_or_else(bad)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_plain_or_chunked() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse_answer(plain), Ok((200, b"{}".to_vec())));
        let chunked =
            b"HTTP/1.1 401 Unauthorized\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{\"a\r\n2;x=y\r\n\"}\r\n0\r\n\r\n";
        assert_eq!(parse_answer(chunked), Ok((401, b"{\"a\"}".to_vec())));
        assert!(parse_answer(b"garbage").is_err());
    }
}
