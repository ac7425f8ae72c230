//! RETR (RFC 1939 §5) and TOP (RFC 1939 §7): the stored message, byte-exact, dot-stuffed.
//!
//! A large message is read and sent a chunk at a time, never held whole. Small ones are read
//! ahead: clients fetch in order, so the store read for message n also brings the next few
//! (up to [`READAHEAD_BYTES`]), and most RETRs need no store round trip at all. A body read
//! ahead may be sent after another session (IMAP) deleted its message: as if the RETR had
//! come a moment earlier.

use proto::pop3::{Multiline, Reply};
use store::{CHUNK, MaildropMessage, MessageChunks, StoreError};

use crate::session::{End, Session};

/// Queued output beyond this is sent before the next chunk is taken.
const FLUSH_AT: usize = 64 * 1024;
/// The most bytes (and messages) one read-ahead holds.
const READAHEAD_BYTES: u64 = 128 * 1024;
const READAHEAD_MESSAGES: usize = 32;

/// Where the body comes from.
enum Body {
    Whole(Vec<u8>),
    Chunks(MessageChunks, Vec<u8>),
}

impl Session {
    /// RETR when `top` is `None`; TOP with that many body lines otherwise.
    pub(crate) async fn handle_retr(&mut self, msg: u32, top: Option<u32>) -> Result<(), End> {
        let Some(tx) = self.transaction() else {
            return Ok(());
        };
        let (mailbox, message) = match tx.message(msg) {
            Ok(m) => (tx.maildrop.mailbox, m),
            Err(reply) => return self.error(reply).await,
        };
        // The first bytes are read before +OK, so a failure can still be answered with -ERR.
        let index = msg as usize - 1;
        let first = if message.size <= CHUNK as u64 {
            self.small_body(index).await.map(Body::Whole)
        } else {
            let mut chunks = self
                .ctx
                .store
                .message_chunks(mailbox, message.uid, message.size);
            match chunks.next().await {
                Ok(first) => Ok(Body::Chunks(chunks, first.unwrap_or_default())),
                Err(e) => Err(e),
            }
        };
        let body = match first {
            Ok(body) => body,
            Err(StoreError::NotFound(_)) => {
                return self
                    .error(Reply::err("message was deleted by another session"))
                    .await;
            }
            Err(e) => {
                let text = "cannot read the message; try again later";
                return self.temp_failure("reading a message", &e, text).await;
            }
        };
        self.reply(Reply::ok(format!("{} octets", message.size)));
        let mut out = top.map_or_else(Multiline::new, Multiline::top);
        match body {
            Body::Whole(data) => {
                out.write(&data, &mut self.shell.wbuf);
            }
            Body::Chunks(mut chunks, first) => {
                let mut chunk = Some(first);
                while let Some(data) = chunk.take() {
                    if !out.write(&data, &mut self.shell.wbuf) {
                        break;
                    }
                    if self.shell.wbuf.len() >= FLUSH_AT {
                        self.flush().await?;
                    }
                    chunk = match chunks.next().await {
                        Ok(next) => next,
                        Err(e) => {
                            // Half a response is out: -ERR is no longer possible, and ending
                            // the connection is the only way to tell the client it is cut.
                            tracing::error!(session = %self.id, error = %e, "reading a message failed mid-way");
                            return Err(End::Aborted);
                        }
                    };
                }
            }
        }
        out.finish(&mut self.shell.wbuf);
        if self.shell.wbuf.len() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    /// The body of small message `index`: from the read-ahead, or read now together with the
    /// next few small messages not marked deleted.
    async fn small_body(&mut self, index: usize) -> Result<Vec<u8>, StoreError> {
        let Some(tx) = self.transaction_mut() else {
            return Err(StoreError::NotFound("no maildrop".into()));
        };
        if let Some(at) = tx.readahead.iter().position(|(i, _)| *i == index) {
            return Ok(tx.readahead.swap_remove(at).1);
        }
        let mut plan: Vec<(usize, MaildropMessage)> = Vec::new();
        let mut bytes = 0;
        for (i, m) in tx.maildrop.messages.iter().enumerate().skip(index) {
            if i != index && tx.deleted[i] {
                continue;
            }
            let full = plan.len() >= READAHEAD_MESSAGES || bytes + m.size > READAHEAD_BYTES;
            if m.size > CHUNK as u64 || (full && !plan.is_empty()) {
                break;
            }
            plan.push((i, *m));
            bytes += m.size;
        }
        let mailbox = tx.maildrop.mailbox;
        let uids = plan.iter().map(|(_, m)| m.uid).collect();
        let bodies = self.ctx.store.read_messages(mailbox, uids).await?;
        let mut found: Vec<(usize, Vec<u8>)> = plan
            .iter()
            .zip(bodies)
            .filter_map(|((i, m), body)| body.filter(|b| b.len() as u64 == m.size).map(|b| (*i, b)))
            .collect();
        let first = match found.first() {
            Some((i, _)) if *i == index => found.swap_remove(0).1,
            _ => return Err(StoreError::NotFound(format!("message {index}"))),
        };
        if let Some(tx) = self.transaction_mut() {
            tx.readahead = found;
        }
        Ok(first)
    }
}
