//! DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030), and the hand-off to the store.
//!
//! `250` is sent only after `Store::deliver` returns, i.e. once the message is committed to
//! stable storage (DESIGN.md §4).

use std::time::Duration;

use proto::smtp::{DataDecoder, DataStatus, Path, Reply, Ret};
use store::Delivery;

use crate::received;
use crate::session::{End, Session, Transaction};

impl Session {
    pub(crate) async fn handle_data(&mut self) -> Result<(), End> {
        let Some(tx) = self.tx.as_ref() else {
            return self
                .error(Reply::new(503, "5.5.1", "Need MAIL command first"))
                .await;
        };
        if tx.chunks.is_some() {
            return self
                .error(Reply::new(503, "5.5.1", "DATA not allowed after BDAT"))
                .await;
        }
        if tx.rcpt_count == 0 {
            // RFC 5321 §3.3 / RFC 2920 §3.1: DATA without any accepted recipient.
            return self
                .error(Reply::new(554, "5.5.1", "No valid recipients"))
                .await;
        }
        self.reply(Reply {
            code: 354,
            enhanced: None,
            lines: vec!["End data with <CR><LF>.<CR><LF>".into()],
        });
        self.flush().await?;

        // The Received header goes first, and the body is decoded right after it: the stored
        // message is built in one buffer, never copied (the decoder's limit counts only the
        // body). Like Postfix's smtpd, the header is stamped when DATA starts.
        let queue_id = self.queue_id();
        let mut message = Vec::with_capacity(16 * 1024);
        if let Some(tx) = self.tx.as_ref() {
            received::write_header(self, tx, &queue_id, &mut message);
        }
        let limit = usize::try_from(self.ctx.config.limits.max_message_size).unwrap_or(usize::MAX);
        let mut decoder = DataDecoder::new(limit);
        let timeout = Duration::from_secs(self.ctx.config.limits.data_timeout_secs);
        let (bare, oversized) = loop {
            let (consumed, status) = decoder.feed(self.input(), &mut message);
            self.consume(consumed);
            if let DataStatus::Complete {
                bare_line_ending,
                oversized,
            } = status
            {
                break (bare_line_ending, oversized);
            }
            self.read_more(timeout, false).await?;
        };
        let Some(tx) = self.tx.take() else {
            return Ok(());
        };
        self.finish_message(tx, message, queue_id, bare, oversized)
            .await
    }

    pub(crate) async fn handle_bdat(&mut self, size: u64, last: bool) -> Result<(), End> {
        // RFC 3030 §2: the chunk is read in full whatever the reply will be.
        let limit = self.ctx.config.limits.max_message_size;
        let keep = match self.tx.as_ref() {
            Some(tx) => !tx.chunks_oversized && tx.rcpt_count > 0,
            None => false,
        };
        let already = self
            .tx
            .as_ref()
            .and_then(|t| t.chunks.as_ref())
            .map_or(0, Vec::len) as u64;
        let fits = already.saturating_add(size) <= limit;
        let mut chunk = Vec::new();
        if keep && fits {
            chunk.reserve(usize::try_from(size).unwrap_or(0).min(1 << 20));
        }
        let timeout = Duration::from_secs(self.ctx.config.limits.data_timeout_secs);
        let mut remaining = size;
        while remaining > 0 {
            if self.input().is_empty() {
                self.read_more(timeout, false).await?;
            }
            let take = usize::try_from(remaining)
                .unwrap_or(usize::MAX)
                .min(self.input().len());
            if keep && fits {
                chunk.extend_from_slice(&self.input()[..take]);
            }
            self.consume(take);
            remaining -= take as u64;
        }
        let Some(tx) = self.tx.as_mut() else {
            return self
                .error(Reply::new(503, "5.5.1", "Need MAIL command first"))
                .await;
        };
        if tx.rcpt_count == 0 {
            self.tx = None;
            return self
                .error(Reply::new(554, "5.5.1", "No valid recipients"))
                .await;
        }
        if !fits {
            tx.chunks_oversized = true;
        }
        let body = tx.chunks.get_or_insert_with(Vec::new);
        if !tx.chunks_oversized {
            body.extend_from_slice(&chunk);
        }
        if !last {
            if tx.chunks_oversized {
                // Keep reading chunks, fail the transaction at LAST (one clear reply).
                self.reply(Reply::new(
                    552,
                    "5.3.4",
                    "Message size exceeds fixed maximum message size",
                ));
                return Ok(());
            }
            self.reply(Reply::new(250, "2.0.0", format!("{size} octets received")));
            return Ok(());
        }
        let Some(mut tx) = self.tx.take() else {
            return Ok(());
        };
        let body = tx.chunks.take().unwrap_or_default();
        let bare = has_bare_line_ending(&body);
        let oversized = tx.chunks_oversized;
        let queue_id = self.queue_id();
        let mut message = Vec::new();
        if !oversized && !bare {
            message.reserve_exact(body.len() + 1024);
            received::write_header(self, &tx, &queue_id, &mut message);
            message.extend_from_slice(&body);
        }
        drop(body);
        self.finish_message(tx, message, queue_id, bare, oversized)
            .await
    }

    /// A new queue id: the session's id and a random suffix (in the Received header and the
    /// `250` reply, so a message can be found in the log from either).
    fn queue_id(&self) -> String {
        format!("{}{:06X}", self.id, rand::random::<u32>() & 0xff_ffff)
    }

    /// Checks the finished message (the Received header and the body), stores it, and
    /// answers.
    async fn finish_message(
        &mut self,
        tx: Transaction,
        message: Vec<u8>,
        queue_id: String,
        bare: bool,
        oversized: bool,
    ) -> Result<(), End> {
        if oversized {
            tracing::info!(session = %self.id, peer = %self.peer, "message too big");
            return self
                .error(Reply::new(
                    552,
                    "5.3.4",
                    "Message size exceeds fixed maximum message size",
                ))
                .await;
        }
        if bare {
            // SMTP smuggling: a lone CR or LF may end the data for another server that reads
            // this message, so such a message is refused as a whole.
            tracing::warn!(session = %self.id, peer = %self.peer, "bare CR or LF in message data");
            return self
                .error(Reply::new(
                    550,
                    "5.6.0",
                    "Message refused: bare CR or LF in message data; lines must end with CRLF",
                ))
                .await;
        }
        if let Some(reply) = self.check_message(&message).await {
            return self.error(reply).await;
        }
        let envelope_from = match &tx.from {
            Path::Null => String::new(),
            Path::Mailbox(a) => a.clone(),
        };
        let forward_sender = match self.forward_sender(&tx, &envelope_from) {
            Ok(sender) => sender,
            Err(e) => {
                tracing::error!(session = %self.id, error = %e, "SRS rewriting failed");
                self.reply(Reply::new(
                    451,
                    "4.3.0",
                    "Temporary failure storing the message, try again later",
                ));
                return Ok(());
            }
        };
        let size = message.len();
        let recipients = tx.accounts.len() + tx.remote.len();
        let delivery = Delivery {
            message,
            envelope_from: envelope_from.clone(),
            envid: tx.params.envid.clone(),
            ret: tx.params.ret.map(|r| match r {
                Ret::Full => "FULL".to_string(),
                Ret::Hdrs => "HDRS".to_string(),
            }),
            accounts: tx.accounts,
            remote: tx.remote,
            origin: self.origin(),
            forward_sender,
        };
        match self.ctx.store.deliver(delivery).await {
            Ok(()) => {
                tracing::info!(session = %self.id, peer = %self.peer, id = %queue_id, from = %envelope_from, recipients, size, "message accepted");
                self.reply(Reply::new(
                    250,
                    "2.0.0",
                    format!("Message accepted for delivery as {queue_id}"),
                ));
                Ok(())
            }
            Err(e) => {
                tracing::error!(session = %self.id, error = %e, "storing message failed");
                // Nothing was acknowledged, so nothing is lost: the client will try again.
                self.reply(Reply::new(
                    451,
                    "4.3.0",
                    "Temporary failure storing the message, try again later",
                ));
                Ok(())
            }
        }
    }
}

/// Whether a CR not followed by LF, or an LF not preceded by CR, occurs in `body`.
fn has_bare_line_ending(body: &[u8]) -> bool {
    let mut prev = 0u8;
    for (i, &b) in body.iter().enumerate() {
        if b == b'\n' && prev != b'\r' {
            return true;
        }
        if b == b'\r' && body.get(i + 1) != Some(&b'\n') {
            return true;
        }
        prev = b;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::has_bare_line_ending;

    #[test]
    fn bare_line_endings_are_found_anywhere() {
        assert!(!has_bare_line_ending(b"a\r\nb\r\n"));
        assert!(has_bare_line_ending(b"a\nb"));
        assert!(has_bare_line_ending(b"a\rb"));
        assert!(has_bare_line_ending(b"a\r"));
        assert!(has_bare_line_ending(b"\n"));
        assert!(!has_bare_line_ending(b""));
    }
}
