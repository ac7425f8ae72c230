//! BDAT (RFC 3030 CHUNKING): the message in chunks of announced size, without dot-stuffing.
//! Chunks go into the same [`Incoming`] as DATA's body (memory within the budget, or a spool
//! file), never into one buffer per chunk.

use proto::smtp::Reply;
use tokio::time::Instant;

use crate::incoming::{Incoming, Refused};
use crate::op::data::{LineEnds, too_big};
use crate::received;
use crate::session::{End, Session};

/// A BDAT transfer in progress: from the first chunk of a transaction to LAST.
pub(crate) struct Chunks {
    incoming: Incoming,
    queue_id: String,
    /// The whole transfer must be over by then (`data_total_timeout_secs`).
    deadline: Instant,
    /// Octets announced so far.
    announced: u64,
    /// The message went over the size limit; later chunks are read and dropped.
    oversized: bool,
    /// Bare LFs made CRLF as DATA's are (see [`LineEnds`]); a bare CR refuses the message.
    lines: LineEnds,
}

impl Session {
    pub(crate) async fn handle_bdat(&mut self, size: u64, last: bool) -> Result<(), End> {
        let limit = self.ctx.config.limits.max_message_size;
        let accepting = self.tx().is_some_and(|tx| tx.rcpt_count > 0);
        let mut chunks = self.state.transaction_mut().and_then(|tx| tx.chunks.take());
        if accepting && chunks.is_none() {
            chunks = Some(self.start_chunks().await);
        }
        if let Some(c) = chunks.as_mut() {
            c.announced = c.announced.saturating_add(size);
            if c.announced > limit && !c.oversized {
                c.oversized = true;
                // Nothing of it will be stored: give back its memory and spool file now.
                c.incoming = Incoming::new(&self.ctx.budget);
            }
        }
        let deadline = chunks
            .as_ref()
            .map_or_else(|| self.data_deadline(), |c| c.deadline);
        let store = self.ctx.store.clone();

        // RFC 3030 §2: the chunk is read in full whatever the reply will be.
        let mut remaining = size;
        while remaining > 0 {
            if self.shell.input().is_empty() {
                self.read_data(deadline).await?;
            }
            let take = usize::try_from(remaining)
                .unwrap_or(usize::MAX)
                .min(self.shell.input().len());
            if let Some(c) = chunks.as_mut().filter(|c| !c.oversized) {
                c.lines.feed(&self.shell.input()[..take], c.incoming.buf());
            }
            self.shell.consume(take);
            remaining -= take as u64;
            if let Some(c) = chunks.as_mut().filter(|c| !c.oversized) {
                c.incoming.settle(&store).await;
            }
        }

        let Some(tx) = self.state.transaction_mut() else {
            return self
                .error(Reply::new(503, "5.5.1", "Need MAIL command first"))
                .await;
        };
        let Some(mut c) = chunks.filter(|_| tx.rcpt_count > 0) else {
            self.state.end_transaction();
            return self
                .error(Reply::new(554, "5.5.1", "No valid recipients"))
                .await;
        };
        if !last {
            let reply = if c.oversized {
                // Keep reading chunks, fail the transaction at LAST (one clear reply).
                too_big()
            } else if c.incoming.refused() == Some(Refused::MemoryFull) {
                // RFC 3030 §2: after a 4xx the client sends no more chunks of this message.
                Reply::new(
                    452,
                    "4.3.1",
                    "Insufficient system resources, try again later",
                )
            } else {
                Reply::new(250, "2.0.0", format!("{size} octets received"))
            };
            tx.chunks = Some(c);
            self.reply(reply);
            return Ok(());
        }
        let Some(tx) = self.state.end_transaction() else {
            return Ok(());
        };
        c.incoming.settle(&store).await;
        let bare_cr = c.lines.bare_cr();
        self.finish_message(tx, c.incoming, c.queue_id, bare_cr, c.oversized)
            .await
    }

    /// The first chunk of a transaction: the message starts with the Received header.
    async fn start_chunks(&mut self) -> Chunks {
        let queue_id = self.queue_id();
        let mut incoming = Incoming::new(&self.ctx.budget);
        if let Some(tx) = self.tx() {
            received::write_header(self, tx, &queue_id, incoming.buf());
        }
        incoming.settle(&self.ctx.store.clone()).await;
        Chunks {
            incoming,
            queue_id,
            deadline: self.data_deadline(),
            announced: 0,
            oversized: false,
            lines: LineEnds::default(),
        }
    }
}
