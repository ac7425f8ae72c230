//! [`Client`]: the test's end of an in-memory connection to one session.

use std::path::PathBuf;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::{HOSTNAME, WAIT};

enum Stream {
    Plain(DuplexStream),
    Tls(Box<TlsStream<DuplexStream>>),
    /// Only while STARTTLS swaps the stream.
    Swapping,
}

/// Sends lines and reads what the session answers, line by line.
pub struct Client {
    stream: Stream,
    /// Received and not yet read.
    input: Vec<u8>,
    cert: PathBuf,
}

impl Client {
    pub(crate) fn new(stream: DuplexStream, cert: PathBuf) -> Client {
        Client {
            stream: Stream::Plain(stream),
            input: Vec::new(),
            cert,
        }
    }

    /// Sends `line` and CRLF.
    pub async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
    }

    /// Sends `bytes` as they are.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        record("C:", bytes);
        let written = match &mut self.stream {
            Stream::Plain(s) => s.write_all(bytes).await,
            Stream::Tls(s) => match s.write_all(bytes).await {
                Ok(()) => s.flush().await,
                Err(e) => Err(e),
            },
            Stream::Swapping => unreachable!("no stream while swapping"),
        };
        written.expect("the session reads");
    }

    /// The next line, without its CRLF. Panics at the end of the stream.
    pub async fn line(&mut self) -> String {
        self.try_line()
            .await
            .expect("a line, not the end of the connection")
    }

    /// The next line, or `None` at the end of the stream.
    pub async fn try_line(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.input.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.input.drain(..end + 2).take(end).collect();
                record("S:", &[&line[..], b"\r\n"].concat());
                return Some(String::from_utf8_lossy(&line).into_owned());
            }
            if self.read_more().await == 0 {
                return None;
            }
        }
    }

    /// Exactly `n` bytes (a literal, a message).
    pub async fn bytes(&mut self, n: usize) -> Vec<u8> {
        while self.input.len() < n {
            assert!(self.read_more().await > 0, "the connection ended early");
        }
        let bytes: Vec<u8> = self.input.drain(..n).collect();
        record("S:", &bytes);
        bytes
    }

    /// Whether the session closed the connection with nothing more to say.
    pub async fn closed(&mut self) -> bool {
        self.input.is_empty() && self.read_more().await == 0
    }

    /// Reads what the session sent; 0 at the end of the stream (or a broken TLS stream).
    async fn read_more(&mut self) -> usize {
        let mut chunk = vec![0u8; 16 * 1024];
        let read = async {
            match &mut self.stream {
                Stream::Plain(s) => s.read(&mut chunk).await,
                Stream::Tls(s) => s.read(&mut chunk).await,
                Stream::Swapping => unreachable!("no stream while swapping"),
            }
        };
        let n = tokio::time::timeout(WAIT, read)
            .await
            .expect("the session answers")
            .unwrap_or(0);
        self.input.extend_from_slice(&chunk[..n]);
        n
    }

    /// The client's side of the TLS handshake, after the session said to go ahead. Nothing
    /// may have arrived after that go-ahead in plain text (RFC 3207 §4.2).
    pub async fn start_tls(&mut self) {
        assert!(
            self.input.is_empty(),
            "plain text after the TLS go-ahead: {:?}",
            String::from_utf8_lossy(&self.input)
        );
        let Stream::Plain(plain) = std::mem::replace(&mut self.stream, Stream::Swapping) else {
            panic!("TLS is already active");
        };
        let config = net::client_tls_trusting(&self.cert).expect("trust the test certificate");
        let name = rustls::pki_types::ServerName::try_from(HOSTNAME).expect("server name");
        let tls = tokio::time::timeout(WAIT, TlsConnector::from(config).connect(name, plain))
            .await
            .expect("handshake in time")
            .expect("handshake with the session");
        self.stream = Stream::Tls(Box::new(tls));
    }

    /// Whether the connection is TLS now.
    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }
}

/// With `TESTBED_RECORD` set, prints what goes over the connection to stderr as transcript
/// lines ([`crate::transcript`]) after the test's name: a start for a new transcript
/// (`TESTBED_RECORD=1 cargo test -p imap --test commands NAME -- --nocapture`).
fn record(direction: &str, bytes: &[u8]) {
    if std::env::var_os("TESTBED_RECORD").is_none() {
        return;
    }
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    let last = lines.pop().unwrap_or("");
    for line in lines {
        eprintln!("{test}: {direction} {line}");
    }
    if !last.is_empty() {
        eprintln!("{test}: {direction} {last} (no line end)");
    }
}
