//! Outside scanners, each optional: clamd's INSTREAM (viruses); their verdicts become reasons.
//! A virus is refused at the end of DATA (554 5.7.1); while clamd cannot be reached,
//! `[filter] clamd_down` chooses a temporary refusal (451 4.7.1) or delivery marked
//! `CLAMD_DOWN`. Messages over `max_scan_size` are not sent (as other filters' size limits).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::{Force, Message, Reason, Refusal, Trust};

/// How long one scan may take, connection included. clamd scans a 1 MiB message in well under
/// a second; a scanner that takes longer is treated as down.
const CLAMD_TIMEOUT: Duration = Duration::from_secs(30);
/// INSTREAM chunk size (clamd's `StreamMaxLength` applies to the total, not the chunk).
const CHUNK: usize = 64 * 1024;

/// What clamd said about a message.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    Clean,
    Infected(String),
}

impl Trust {
    pub async fn scan_external(
        &self,
        config: &config::Filter,
        message: &Message<'_>,
    ) -> Vec<Reason> {
        let address = config.clamd.trim();
        if address.is_empty() {
            return Vec::new();
        }
        if message.truncated {
            let detail = format!("over {} bytes: not scanned", config.max_scan_size);
            return vec![Reason::new("CLAMD_SKIPPED", 0.0, detail)];
        }
        match tokio::time::timeout(CLAMD_TIMEOUT, clamd(address, message.bytes)).await {
            Ok(Ok(Scan::Clean)) => Vec::new(),
            Ok(Ok(Scan::Infected(name))) => {
                let refusal = Refusal {
                    code: 554,
                    status: "5.7.1",
                    text: format!("Message refused: virus found ({name})"),
                };
                vec![Reason::new("CLAMD_VIRUS", 0.0, name).forcing(Force::Refuse(refusal))]
            }
            Ok(Err(why)) => clamd_down(config, format!("clamd at {address}: {why}")),
            Err(_) => clamd_down(config, format!("clamd at {address}: no answer in time")),
        }
    }
}

/// clamd could not scan the message: a temporary refusal, or delivery marked `CLAMD_DOWN`.
fn clamd_down(config: &config::Filter, detail: String) -> Vec<Reason> {
    tracing::warn!(%detail, "virus scan failed");
    let reason = Reason::new("CLAMD_DOWN", 0.0, detail);
    if config.clamd_down.eq_ignore_ascii_case("accept") {
        return vec![reason];
    }
    // RFC 3463 §3.8: 4.7.1, delivery not authorized for now; the sender retries.
    vec![reason.forcing(Force::Refuse(Refusal {
        code: 451,
        status: "4.7.1",
        text: "Virus scanner unavailable, try again later".to_string(),
    }))]
}

/// Scans `bytes` with the clamd at `address` (`host:port`, or a Unix socket path).
async fn clamd(address: &str, bytes: &[u8]) -> Result<Scan, String> {
    #[cfg(unix)]
    if address.starts_with('/') {
        let stream = tokio::net::UnixStream::connect(address)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        return instream(stream, bytes).await;
    }
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    instream(stream, bytes).await
}

/// clamd's INSTREAM (clamd(8)): `zINSTREAM\0`, then chunks each preceded by its length as
/// 4 bytes in network order, then a zero length; the answer is `stream: OK` or
/// `stream: <name> FOUND`, NUL-terminated.
async fn instream<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    bytes: &[u8],
) -> Result<Scan, String> {
    let io = |e: std::io::Error| format!("connection failed: {e}");
    stream.write_all(b"zINSTREAM\0").await.map_err(io)?;
    for chunk in bytes.chunks(CHUNK) {
        let len = u32::try_from(chunk.len()).map_err(|_| "chunk too large".to_string())?;
        stream.write_all(&len.to_be_bytes()).await.map_err(io)?;
        stream.write_all(chunk).await.map_err(io)?;
    }
    stream.write_all(&0u32.to_be_bytes()).await.map_err(io)?;
    stream.flush().await.map_err(io)?;
    let mut answer = Vec::new();
    // An answer is one short line; a peer that sends more is not clamd.
    (&mut stream)
        .take(4096)
        .read_to_end(&mut answer)
        .await
        .map_err(io)?;
    parse_answer(&answer)
}

fn parse_answer(answer: &[u8]) -> Result<Scan, String> {
    let text = String::from_utf8_lossy(answer);
    let text = text.trim_end_matches(['\0', '\n']).trim();
    let verdict = text.strip_prefix("stream:").map(str::trim);
    match verdict {
        Some("OK") => Ok(Scan::Clean),
        Some(v) if v.ends_with(" FOUND") => Ok(Scan::Infected(
            v.trim_end_matches(" FOUND").trim().to_string(),
        )),
        _ => Err(format!("unexpected answer {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_are_read() {
        assert_eq!(parse_answer(b"stream: OK\0"), Ok(Scan::Clean));
        assert_eq!(
            parse_answer(b"stream: Eicar-Test-Signature FOUND\0"),
            Ok(Scan::Infected("Eicar-Test-Signature".into()))
        );
        assert!(parse_answer(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(parse_answer(b"").is_err());
    }

    #[tokio::test]
    async fn instream_frames_the_message_in_length_prefixed_chunks() {
        let (ours, mut theirs) = tokio::io::duplex(1 << 20);
        let message = vec![b'x'; CHUNK + 10];
        let scan = tokio::spawn(async move { instream(ours, &message).await });
        let mut got = Vec::new();
        let mut command = [0u8; 10];
        theirs.read_exact(&mut command).await.expect("command");
        assert_eq!(&command, b"zINSTREAM\0");
        loop {
            let mut len = [0u8; 4];
            theirs.read_exact(&mut len).await.expect("length");
            let len = u32::from_be_bytes(len) as usize;
            if len == 0 {
                break;
            }
            let mut chunk = vec![0u8; len];
            theirs.read_exact(&mut chunk).await.expect("chunk");
            got.extend(chunk);
        }
        assert_eq!(got.len(), CHUNK + 10);
        theirs.write_all(b"stream: OK\0").await.expect("answer");
        drop(theirs);
        assert_eq!(scan.await.expect("task"), Ok(Scan::Clean));
    }
}
