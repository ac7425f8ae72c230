//! The POP3 client (RFC 1939): greeting, STLS (RFC 2595 §4), USER/PASS, UIDL and LIST, RETR
//! with dot-unstuffing, DELE, and QUIT, which is when the server deletes (§6).

use std::collections::HashMap;
use std::sync::Arc;

use config::{Collect, CollectTls};
use rustls::ClientConfig;

use super::conn::Conn;
use super::{CollectError, Remote};

pub(crate) struct Pop3 {
    conn: Conn,
}

impl Pop3 {
    /// Connects, secures the connection as configured, and logs in.
    pub(crate) async fn open(
        job: &Collect,
        tls: Option<Arc<ClientConfig>>,
    ) -> Result<Pop3, CollectError> {
        let mut pop = Pop3 {
            conn: Conn::open(job, &tls).await?,
        };
        // RFC 1939 §4: the greeting is +OK.
        pop.reply().await?;
        if let (CollectTls::Starttls, Some(config)) = (job.tls, tls) {
            // RFC 2595 §4: STLS, +OK, then the handshake; the session starts over.
            pop.command("STLS").await?;
            pop.conn.start_tls(config).await?;
        }
        // RFC 1939 §7: USER and PASS. The password is never logged.
        pop.command(&format!("USER {}", job.user)).await?;
        pop.command(&format!("PASS {}", job.password.0))
            .await
            .map_err(|e| match e {
                CollectError::Refused(text) => CollectError::Login(text),
                other => other,
            })?;
        Ok(pop)
    }

    /// Every message with its unique id (UIDL, §7) and size (LIST, §5), in message order.
    pub(crate) async fn list(&mut self) -> Result<Vec<Remote>, CollectError> {
        self.command("UIDL").await?;
        let uidl = self.multi_line().await?;
        self.command("LIST").await?;
        let list = self.multi_line().await?;
        let mut sizes = HashMap::new();
        for line in list.split(|&b| b == b'\n') {
            if let Some((n, size)) = scan_line(line) {
                sizes.insert(n, size.parse::<u64>().unwrap_or(0));
            }
        }
        let mut remotes = Vec::new();
        for line in uidl.split(|&b| b == b'\n') {
            let Some((n, id)) = scan_line(line) else {
                continue;
            };
            // §7: the unique-id is 1 to 70 characters in the range 0x21 to 0x7E.
            if id.is_empty() || id.len() > 70 || !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
                return Err(CollectError::Protocol(format!(
                    "message {n} has an invalid UIDL"
                )));
            }
            remotes.push(Remote {
                id: id.to_string(),
                handle: n,
                size: sizes.get(&n).copied().unwrap_or(0),
            });
        }
        Ok(remotes)
    }

    /// RETR (§5): the message, dot-unstuffed, with CRLF line ends.
    pub(crate) async fn fetch(&mut self, remote: &Remote) -> Result<Vec<u8>, CollectError> {
        self.command(&format!("RETR {}", remote.handle)).await?;
        self.multi_line().await
    }

    /// DELE (§5) of each; the server deletes them at QUIT.
    pub(crate) async fn delete(&mut self, remotes: &[&Remote]) -> Result<(), CollectError> {
        for remote in remotes {
            self.command(&format!("DELE {}", remote.handle)).await?;
        }
        Ok(())
    }

    /// QUIT (§6): the UPDATE state, where marked messages are removed. Only a +OK means
    /// they are gone.
    pub(crate) async fn quit(mut self) -> Result<(), CollectError> {
        self.command("QUIT").await.map(|_| ())
    }

    async fn command(&mut self, line: &str) -> Result<String, CollectError> {
        self.conn.send(format!("{line}\r\n").as_bytes()).await?;
        self.reply().await
    }

    /// One status line: the text after `+OK`, or the `-ERR` as an error (§3).
    async fn reply(&mut self) -> Result<String, CollectError> {
        let line = self.conn.read_line().await?;
        status(&line)
    }

    /// The body of a multi-line answer up to the lone ".", dot-unstuffed (§3), CRLF ends.
    async fn multi_line(&mut self) -> Result<Vec<u8>, CollectError> {
        let mut out = Vec::new();
        loop {
            let line = self.conn.read_line().await?;
            if line == b"." {
                return Ok(out);
            }
            let line = line.strip_prefix(b".").unwrap_or(&line);
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// `+OK text` → text; `-ERR text` → [`CollectError::Refused`].
fn status(line: &[u8]) -> Result<String, CollectError> {
    let text = String::from_utf8_lossy(line);
    if let Some(rest) = text.strip_prefix("+OK") {
        Ok(rest.trim().to_string())
    } else if text.starts_with("-ERR") {
        Err(CollectError::Refused(crate::snippet(&text)))
    } else {
        Err(CollectError::Protocol(format!(
            "not a POP3 answer: {}",
            crate::snippet(&text)
        )))
    }
}

/// A scan line of UIDL or LIST: `msg-number SP value` (§5, §7).
fn scan_line(line: &[u8]) -> Option<(u32, &str)> {
    let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let (n, rest) = line.split_once(' ')?;
    Some((n.parse().ok()?, rest.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_ok_or_refusals() {
        assert_eq!(
            status(b"+OK 2 messages").ok().as_deref(),
            Some("2 messages")
        );
        assert!(matches!(
            status(b"-ERR [AUTH] no"),
            Err(CollectError::Refused(t)) if t == "-ERR [AUTH] no"
        ));
        assert!(matches!(
            status(b"* OK imap"),
            Err(CollectError::Protocol(_))
        ));
    }

    #[test]
    fn scan_lines_give_number_and_value() {
        assert_eq!(scan_line(b"3 abc.def"), Some((3, "abc.def")));
        assert_eq!(scan_line(b"12 4096"), Some((12, "4096")));
        assert_eq!(scan_line(b"x 1"), None);
        assert_eq!(scan_line(b"7"), None);
    }
}
