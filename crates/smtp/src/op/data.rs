//! DATA (RFC 5321 §4.1.1.4), and the hand-off of a finished message (DATA's or BDAT's) to
//! the store.
//!
//! `250` is sent only after `Store::deliver` returns, i.e. once the message is committed to
//! stable storage (DESIGN.md §4).

use event::Rejection;
use proto::smtp::{DataDecoder, DataStatus, Path, Reply, Ret};
use store::Delivery;

use crate::incoming::{Body, Incoming, Refused, SPOOL_AT};
use crate::session::{End, Session, Transaction};
use crate::{received, trace};

/// How much of a message the end-of-DATA checks read: its header section, which they need,
/// ends long before this in real mail (Postfix keeps 100 KB of header).
const HEAD_LIMIT: usize = SPOOL_AT;

impl Session {
    pub(crate) async fn handle_data(&mut self) -> Result<(), End> {
        // In a transaction, not after BDAT: checked by the table in `state.rs`.
        if self.tx().is_none_or(|tx| tx.rcpt_count == 0) {
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
        // message is built in one buffer (or one spool file), never copied (the decoder's
        // limit counts only the body). Like Postfix's smtpd, the header is stamped when DATA
        // starts.
        let queue_id = self.queue_id();
        let store = self.ctx.store.clone();
        let mut incoming = Incoming::new(&self.ctx.budget);
        if let Some(tx) = self.tx() {
            received::write_header(self, tx, &queue_id, incoming.buf());
        }
        incoming.settle(&store).await;
        let limit = usize::try_from(self.ctx.config.limits.max_message_size).unwrap_or(usize::MAX);
        let mut decoder = DataDecoder::new(limit);
        let deadline = self.data_deadline();
        let (bare_cr, oversized) = loop {
            let (consumed, status) = decoder.feed(self.shell.input(), incoming.buf());
            self.shell.consume(consumed);
            incoming.settle(&store).await;
            if let DataStatus::Complete { bare_cr, oversized } = status {
                break (bare_cr, oversized);
            }
            self.read_data(deadline).await?;
        };
        let Some(tx) = self.state.end_transaction() else {
            return Ok(());
        };
        self.finish_message(tx, incoming, queue_id, bare_cr, oversized)
            .await
    }

    /// A new queue id: the session's id and a random suffix (in the Received header and the
    /// `250` reply, so a message can be found in the log from either).
    pub(crate) fn queue_id(&self) -> String {
        format!("{}{:06X}", self.id, rand::random::<u32>() & 0xff_ffff)
    }

    /// Checks the finished message (the Received header and the body), stores it, and
    /// answers.
    pub(crate) async fn finish_message(
        &mut self,
        tx: Transaction,
        incoming: Incoming,
        queue_id: String,
        bare_cr: bool,
        oversized: bool,
    ) -> Result<(), End> {
        if oversized {
            tracing::info!(session = %self.id, peer = %self.peer, "message too big");
            event::rejected(Rejection::TooBig);
            return self.error(too_big()).await;
        }
        if bare_cr {
            // SMTP smuggling: a lone CR may end the data for another server that reads this
            // message, so such a message is refused as a whole. (Bare LFs were already
            // written as CRLF.)
            tracing::warn!(session = %self.id, peer = %self.peer, "bare CR in message data");
            event::rejected(Rejection::BareLineEnding);
            return self
                .error(Reply::new(
                    550,
                    "5.6.0",
                    "Message refused: bare CR in message data; lines must end with CRLF",
                ))
                .await;
        }
        // Reserved memory is given back when `incoming`'s guard drops: after the store has
        // the message, since it holds the bytes until its commit.
        let (mut body, mut guard) = match incoming.finish().await {
            Ok(finished) => finished,
            Err(Refused::MemoryFull) => return self.memory_full(),
            Err(Refused::SpoolFailed) => {
                self.reply(storing_failed());
                return Ok(());
            }
        };
        // The policy checks read the header section only: in memory, or the start of the
        // spool file, which is then held in memory too, so it comes out of the budget.
        let len = body.len();
        if matches!(body, Body::Spooled(_)) {
            let head_bytes = len.min(HEAD_LIMIT as u64);
            if !guard.resize(guard.held() + head_bytes) {
                return self.memory_full();
            }
        }
        let head = match body.head(HEAD_LIMIT).await {
            Ok(head) => head,
            Err(e) => {
                tracing::error!(session = %self.id, error = %e, "reading the spooled message failed");
                self.reply(storing_failed());
                return Ok(());
            }
        };
        if let Some(reply) = self.check_message(&head, len).await {
            return self.error(reply).await;
        }
        let verdict = match self.inbound() {
            true => Some(self.evaluate(&tx, &head, len).await),
            false => None,
        };
        // Mail from the Internet gets the verdict's fields, and loses forged
        // Authentication-Results fields (`trace.rs`, RFC 8601 §5).
        let edit = verdict.as_ref().map(|v| {
            let whole = head.len() as u64 == len;
            trace::edit_head(&head, whole, &v.headers, &self.ctx.config.hostname)
        });
        drop(head);
        if let Some(trust::Action::Refuse(refusal)) = verdict.as_ref().map(|v| &v.action) {
            // Refused in the dialogue, with the reason the sender can read: nothing is
            // accepted and then bounced.
            event::rejected(Rejection::Filtered);
            let reply = Reply::new(refusal.code, refusal.status, refusal.text.clone());
            if refusal.permanent() {
                return self.error(reply).await;
            }
            self.reply(reply);
            return Ok(());
        }
        let envelope_from = match &tx.from {
            Path::Null => String::new(),
            Path::Mailbox(a) => a.clone(),
        };
        let forward_sender = match self.forward_sender(&tx, &envelope_from) {
            Ok(sender) => sender,
            Err(e) => {
                tracing::error!(session = %self.id, error = %e, "SRS rewriting failed");
                self.reply(storing_failed());
                return Ok(());
            }
        };
        let size = body.len();
        let recipients = tx.accounts.len() + tx.remote.len();
        let mut delivery = Delivery {
            message: Vec::new(),
            envelope_from: envelope_from.clone(),
            envid: tx.params.envid.clone(),
            ret: tx.params.ret.map(|r| match r {
                Ret::Full => "FULL".to_string(),
                Ret::Hdrs => "HDRS".to_string(),
            }),
            accounts: tx.accounts,
            // DMARC p=quarantine, or a score past `[filter] junk_score`.
            junk: matches!(
                verdict.as_ref().map(|v| &v.action),
                Some(trust::Action::Junk)
            ),
            remote: tx.remote,
            origin: self.origin(),
            forward_sender,
        };
        let stored = match body {
            Body::Memory(mut message) => {
                if let Some(edit) = edit {
                    message.splice(..edit.cut, edit.start);
                }
                delivery.message = message;
                self.ctx.store.deliver(delivery).await
            }
            Body::Spooled(mut spool) => {
                // The file is not rewritten: the store reads the new start, then the rest.
                if let Some(edit) = edit {
                    spool.replace_start(edit.cut as u64, edit.start);
                }
                self.ctx.store.deliver_spooled(delivery, spool).await
            }
        };
        drop(guard);
        match stored {
            Ok(()) => {
                tracing::info!(session = %self.id, peer = %self.peer, id = %queue_id, from = %envelope_from, recipients, size, "message accepted");
                event::accepted(size, recipients, self.auth().is_some());
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
                self.reply(storing_failed());
                Ok(())
            }
        }
    }
}

impl Session {
    /// `452 4.3.1` (RFC 3463 §3.4: "mail system full", temporary): the memory budget is used
    /// up; nothing was acknowledged.
    fn memory_full(&mut self) -> Result<(), End> {
        tracing::warn!(session = %self.id, peer = %self.peer, "memory budget used up; message refused for now");
        self.reply(Reply::new(
            452,
            "4.3.1",
            "Insufficient system resources, try again later",
        ));
        Ok(())
    }
}

/// RFC 1870 §6.1: 552 for a message larger than the fixed maximum.
pub(crate) fn too_big() -> Reply {
    Reply::new(
        552,
        "5.3.4",
        "Message size exceeds fixed maximum message size",
    )
}

/// `451 4.3.0`: the message could not be stored; nothing was acknowledged, so the client
/// sends it again later (RFC 5321 §4.2.5).
fn storing_failed() -> Reply {
    Reply::new(
        451,
        "4.3.0",
        "Temporary failure storing the message, try again later",
    )
}

/// BDAT's line ends, in input given in pieces: a bare LF is written as CRLF, as DATA's decoder
/// does, and a CR not followed by LF is found (the message is then refused).
///
/// RFC 3030 §2: BDAT data is counted, not terminated, so nothing in it can end the message
/// here; but without BODY=BINARYMIME (which we do not offer, §3) it is RFC 5322 text, which
/// is stored, relayed with DATA and served over IMAP and POP3 with CRLF line ends, so it is
/// taken exactly as DATA's content is.
#[derive(Debug, Default)]
pub(crate) struct LineEnds {
    after_cr: bool,
    bare_cr: bool,
}

impl LineEnds {
    /// Appends `data` to `out` with every bare LF made CRLF.
    pub fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) {
        let mut rest = data;
        while !rest.is_empty() {
            if self.after_cr && rest[0] != b'\n' {
                self.bare_cr = true;
            }
            let Some(n) = rest.iter().position(|&b| b == b'\n') else {
                self.after_cr = rest.last() == Some(&b'\r');
                self.bare_cr |= has_bare_cr(&rest[..rest.len() - 1]);
                out.extend_from_slice(rest);
                return;
            };
            let before = &rest[..n];
            let crlf = before.last().map_or(self.after_cr, |&b| b == b'\r');
            self.bare_cr |= has_bare_cr(before.strip_suffix(b"\r").unwrap_or(before));
            out.extend_from_slice(before);
            out.extend_from_slice(if crlf { b"\n" } else { b"\r\n" });
            self.after_cr = false;
            rest = &rest[n + 1..];
        }
    }

    /// Whether a bare CR occurred; a CR at the very end counts.
    pub fn bare_cr(&self) -> bool {
        self.bare_cr || self.after_cr
    }
}

/// Whether `text` (with no LF in it) holds a CR.
fn has_bare_cr(text: &[u8]) -> bool {
    text.contains(&b'\r')
}

#[cfg(test)]
mod tests {
    use super::LineEnds;

    /// The stored bytes and whether a bare CR was found.
    fn normalize(pieces: &[&[u8]]) -> (Vec<u8>, bool) {
        let mut ends = LineEnds::default();
        let mut out = Vec::new();
        for piece in pieces {
            ends.feed(piece, &mut out);
        }
        (out, ends.bare_cr())
    }

    #[test]
    fn bare_lf_becomes_crlf_and_bare_cr_is_found() {
        assert_eq!(normalize(&[b"a\r\nb\r\n"]), (b"a\r\nb\r\n".to_vec(), false));
        assert_eq!(normalize(&[b"a\nb\n"]), (b"a\r\nb\r\n".to_vec(), false));
        assert_eq!(normalize(&[b"\n\n"]), (b"\r\n\r\n".to_vec(), false));
        assert_eq!(normalize(&[b"a\rb"]), (b"a\rb".to_vec(), true));
        assert_eq!(normalize(&[b"a\r"]), (b"a\r".to_vec(), true));
        assert_eq!(normalize(&[b"a\r\r\n"]), (b"a\r\r\n".to_vec(), true));
        assert_eq!(normalize(&[b""]), (Vec::new(), false));
    }

    #[test]
    fn a_line_end_split_between_pieces_is_seen_whole() {
        assert_eq!(
            normalize(&[b"a\r", b"\nb\r\n"]),
            (b"a\r\nb\r\n".to_vec(), false)
        );
        assert_eq!(normalize(&[b"a\r", b"b\r\n"]), (b"a\rb\r\n".to_vec(), true));
        assert_eq!(
            normalize(&[b"a\r\n", b"\n"]),
            (b"a\r\n\r\n".to_vec(), false)
        );
        assert_eq!(normalize(&[b"a", b"\n", b"b"]), (b"a\r\nb".to_vec(), false));
        assert_eq!(
            normalize(&[b"a\r", b"\r", b"\n"]),
            (b"a\r\r\n".to_vec(), true)
        );
    }
}
