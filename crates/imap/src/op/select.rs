//! SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3) with CONDSTORE and QRESYNC (RFC 7162
//! §3.1.8, §3.2.5), CLOSE (§6.4.1), UNSELECT (RFC 3691).

use proto::imap::response::{self, Status};
use proto::imap::{Qresync, SequenceSet};
use store::{MailboxSnapshot, StoreError};

use crate::selected::{Selected, flag_list};
use crate::session::{End, Session};

/// The flags this server knows; keywords are allowed too (`\*`).
const FLAGS: &str = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

impl Session {
    pub(crate) async fn handle_select(
        &mut self,
        tag: &str,
        raw: Vec<u8>,
        read_only: bool,
        condstore: bool,
        qresync: Option<Qresync>,
    ) -> Result<(), End> {
        // RFC 7162 §3.2.5: the QRESYNC parameter without ENABLE QRESYNC is a BAD.
        if qresync.is_some() && !self.qresync {
            return self.bad(Some(tag), "ENABLE QRESYNC first").await;
        }
        // RFC 7162 §3.1.8: SELECT (CONDSTORE) enables CONDSTORE.
        if condstore {
            self.condstore = true;
        }
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
        if self.selected.take().is_some() {
            // RFC 7162 §3.2.11 / RFC 9051 §7.1: CLOSED tells the client the old one is gone.
            self.reply(None, Status::Ok, "CLOSED", "previous mailbox closed");
        }
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let snap = match self.ctx.store.mailbox_snapshot(account, &name).await {
            Ok(s) => s,
            Err(e) => return self.store_failed(tag, e).await,
        };
        let exists = snap.messages.len();
        let first_unseen = snap
            .messages
            .iter()
            .position(|m| !m.flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")));
        let (uid_validity, uid_next, modseq) =
            (snap.uid_validity, snap.uid_next, snap.highest_modseq);
        let out = &mut self.wbuf;
        response::untagged(out, &format!("FLAGS {FLAGS}"));
        response::untagged(out, &format!("{exists} EXISTS"));
        if !self.rev2 {
            // RFC 3501 §6.3.1: RECENT is required in IMAP4rev1; no session here sees \Recent.
            response::untagged(out, "0 RECENT");
            if let Some(i) = first_unseen {
                response::status(
                    out,
                    None,
                    Status::Ok,
                    &format!("UNSEEN {}", i + 1),
                    "first unseen",
                );
            }
        }
        response::status(
            out,
            None,
            Status::Ok,
            &format!("UIDVALIDITY {uid_validity}"),
            "UIDs valid",
        );
        response::status(
            out,
            None,
            Status::Ok,
            &format!("UIDNEXT {uid_next}"),
            "predicted next UID",
        );
        let permanent = if read_only {
            "()".to_string()
        } else {
            FLAGS.replace(')', " \\*)")
        };
        response::status(
            out,
            None,
            Status::Ok,
            &format!("PERMANENTFLAGS {permanent}"),
            "flags",
        );
        // RFC 7162 §3.1.2: always sent; every mailbox keeps MODSEQs, so never NOMODSEQ.
        response::status(
            out,
            None,
            Status::Ok,
            &format!("HIGHESTMODSEQ {modseq}"),
            "modseq",
        );
        if let Some(q) = qresync.filter(|q| q.uid_validity == uid_validity)
            && let Err(e) = self.resync(&snap, &q).await
        {
            return self.store_failed(tag, e).await;
        }
        self.selected = Some(Selected::new(snap, read_only));
        let (code, verb) = if read_only {
            ("READ-ONLY", "EXAMINE")
        } else {
            ("READ-WRITE", "SELECT")
        };
        self.reply(Some(tag), Status::Ok, code, &format!("{verb} completed"));
        Ok(())
    }

    /// RFC 7162 §3.2.5.1: what changed since the client's MODSEQ: the UIDs expunged since
    /// (`VANISHED (EARLIER)`), then the messages whose flags changed, with their MODSEQ;
    /// both only among the client's known UIDs when it sent them.
    async fn resync(&mut self, snap: &MailboxSnapshot, q: &Qresync) -> Result<(), StoreError> {
        let known = |uid: u32| {
            q.known_uids
                .as_ref()
                .is_none_or(|k| k.contains(uid, u32::MAX))
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let gone = self
            .ctx
            .store
            .vanished_since(account, snap.info.id, q.modseq)
            .await?;
        // Read after the snapshot: a UID expunged in between is still in it, and is told
        // later as VANISHED with the other changes.
        let gone: Vec<u32> = gone
            .into_iter()
            .filter(|&u| known(u) && snap.messages.binary_search_by_key(&u, |m| m.uid).is_err())
            .collect();
        if !gone.is_empty() {
            let line = format!("VANISHED (EARLIER) {}", SequenceSet::format(&gone));
            response::untagged(&mut self.wbuf, &line);
        }
        for (i, m) in snap.messages.iter().enumerate() {
            if m.modseq > q.modseq && known(m.uid) {
                let line = format!(
                    "{} FETCH (UID {} FLAGS {} MODSEQ ({}))",
                    i + 1,
                    m.uid,
                    flag_list(&m.flags),
                    m.modseq
                );
                response::untagged(&mut self.wbuf, &line);
            }
        }
        Ok(())
    }

    /// CLOSE expunges silently (unless read-only); UNSELECT does not (RFC 3691 §2).
    pub(crate) async fn handle_close(&mut self, tag: &str, expunge: bool) -> Result<(), End> {
        let Some(sel) = self.selected.take() else {
            return Ok(());
        };
        if expunge && !sel.read_only {
            let account = self.account.as_ref().map_or(0, |a| a.id);
            if let Err(e) = self.ctx.store.expunge(account, sel.id, None).await {
                tracing::error!(session = %self.id, error = %e, "expunge at CLOSE failed");
            }
        }
        self.ok(
            tag,
            if expunge {
                "CLOSE completed"
            } else {
                "UNSELECT completed"
            },
        );
        Ok(())
    }
}
