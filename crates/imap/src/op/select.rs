//! SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3) with CONDSTORE and QRESYNC (RFC 7162
//! §3.1.8, §3.2.5), CLOSE (§6.4.1), UNSELECT (RFC 3691).

use proto::imap::response::{self, Status};
use proto::imap::{Qresync, SelectArgs, SequenceSet};
use store::{MessageMeta, StoreError};

use crate::selected::{Selected, flag_list};
use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_select(
        &mut self,
        tag: &str,
        args: SelectArgs,
        read_only: bool,
    ) -> Result<(), End> {
        let SelectArgs {
            mailbox: raw,
            condstore,
            qresync,
        } = args;
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
        // A name that is not valid modified UTF-7 names no mailbox here (as in Dovecot): NO,
        // not BAD, for it is a well-formed astring (RFC 3501 §9).
        let Some(name) = self.mailbox_name(&raw) else {
            return self.no(tag, "NONEXISTENT", "no such mailbox").await;
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let snap = match self.ctx.store.mailbox_snapshot(account, &name).await {
            Ok(s) => s,
            Err(e) => return self.store_failed(tag, e).await,
        };
        // RFC 3501 §2.3.2: SELECT claims the messages no session has seen as \Recent to
        // this one; EXAMINE shows them as recent without claiming (§6.3.2). IMAP4rev2 has
        // no \Recent (RFC 9051 §2.3.2).
        let recent = if self.rev2 {
            Vec::new()
        } else if read_only {
            std::iter::once(snap.recent_uid..u32::MAX).collect()
        } else if snap.recent_uid < snap.uid_next {
            match self.ctx.store.claim_recent(account, snap.info.id).await {
                Ok(claimed) => std::iter::once(claimed).collect(),
                Err(e) => return self.store_failed(tag, e).await,
            }
        } else {
            Vec::new()
        };
        let (uid_validity, uid_next, modseq) =
            (snap.uid_validity, snap.uid_next, snap.highest_modseq);
        let sel = Selected::new(snap, read_only, recent);
        let exists = sel.messages.len();
        let first_unseen = sel
            .messages
            .iter()
            .position(|m| !m.flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")));
        let mut flags = Vec::new();
        sel.flags_response(&mut flags);
        let (flags, permanent) = match flags.iter().position(|&b| b == b'\n') {
            Some(n) => (flags[..=n].to_vec(), flags[n + 1..].to_vec()),
            None => (flags, Vec::new()),
        };
        let out = &mut self.shell.wbuf;
        out.extend(flags);
        response::untagged(out, &format!("{exists} EXISTS"));
        if !self.rev2 {
            // RFC 3501 §6.3.1: RECENT and the first unseen message are IMAP4rev1's.
            response::untagged(out, &format!("{} RECENT", sel.recent_count()));
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
        out.extend(permanent);
        // RFC 7162 §3.1.2: always sent; every mailbox keeps MODSEQs, so never NOMODSEQ.
        response::status(
            out,
            None,
            Status::Ok,
            &format!("HIGHESTMODSEQ {modseq}"),
            "modseq",
        );
        if let Some(q) = qresync.filter(|q| q.uid_validity == uid_validity)
            && let Err(e) = self.resync(&sel, &q).await
        {
            return self.store_failed(tag, e).await;
        }
        self.selected = Some(sel);
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
    /// both only among the client's known UIDs when it sent them. When the store's expunge
    /// record no longer reaches back to that MODSEQ, every UID not in the mailbox is told
    /// (§3.2.6 allows it; clients ignore UIDs they never had), less those the sequence match
    /// data shows the client already knows are gone (§3.2.5.2).
    async fn resync(&mut self, sel: &Selected, q: &Qresync) -> Result<(), StoreError> {
        let known = |uid: u32| {
            q.known_uids
                .as_ref()
                .is_none_or(|k| k.contains(uid, u32::MAX))
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let vanished = self
            .ctx
            .store
            .vanished_since(account, sel.id, q.modseq)
            .await?;
        let unchanged_up_to = match (&q.seq_match, vanished.exact) {
            (Some((numbers, uids)), false) => matched_uid(&sel.messages, numbers, uids),
            _ => 0,
        };
        // Read after the snapshot: a UID expunged in between is still in it, and is told
        // later as VANISHED with the other changes.
        let gone: Vec<u32> = vanished
            .uids
            .into_iter()
            .filter(|&u| {
                u > unchanged_up_to
                    && known(u)
                    && sel.messages.binary_search_by_key(&u, |m| m.uid).is_err()
            })
            .collect();
        if !gone.is_empty() {
            let line = format!("VANISHED (EARLIER) {}", SequenceSet::format(&gone));
            response::untagged(&mut self.shell.wbuf, &line);
        }
        for (i, m) in sel.messages.iter().enumerate() {
            if m.modseq > q.modseq && known(m.uid) {
                let line = format!(
                    "{} FETCH (UID {} FLAGS {} MODSEQ ({}))",
                    i + 1,
                    m.uid,
                    flag_list(&m.flags),
                    m.modseq
                );
                response::untagged(&mut self.shell.wbuf, &line);
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

/// RFC 7162 §3.2.5.2: the largest UID of the client's `(known-sequence-set known-uid-set)`
/// pairs that is still at the same message number; 0 if none is. Message n with UID u in
/// both the client's view and the mailbox now means nothing at or below u was expunged
/// since: UIDs only grow, so no message below u arrived since, and the count is the same.
/// At most one pair per message is looked at, whatever the client sent.
fn matched_uid(messages: &[MessageMeta], numbers: &SequenceSet, uids: &SequenceSet) -> u32 {
    let expand = |set: &SequenceSet, last: u32| {
        set.ranges.clone().into_iter().flat_map(move |(a, b)| {
            let (a, b) = (a.resolve(last), b.resolve(last));
            a.min(b)..=a.max(b)
        })
    };
    let count = messages.len();
    let last_uid = messages.last().map_or(0, |m| m.uid);
    expand(numbers, count as u32)
        .zip(expand(uids, last_uid))
        .take(count)
        .filter(|&(n, uid)| {
            (n as usize)
                .checked_sub(1)
                .and_then(|i| messages.get(i))
                .is_some_and(|m| m.uid == uid)
        })
        .map(|(_, uid)| uid)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use proto::imap::SeqNum;

    use super::*;

    fn set(ranges: &[(u32, u32)]) -> SequenceSet {
        SequenceSet {
            ranges: ranges
                .iter()
                .map(|&(a, b)| (SeqNum::Value(a), SeqNum::Value(b)))
                .collect(),
            saved: false,
        }
    }

    #[test]
    fn sequence_match_data_vouches_up_to_the_largest_pair_still_in_place() {
        let messages: Vec<MessageMeta> = [1, 2, 3, 6]
            .into_iter()
            .map(|uid| MessageMeta {
                uid,
                modseq: 1,
                flags: vec![],
                internal_date: 0,
                size: 1,
            })
            .collect();
        // Messages 1 to 3 are where the client had them; its message 4 (UID 5) is gone.
        assert_eq!(
            matched_uid(&messages, &set(&[(1, 4)]), &set(&[(1, 3), (5, 5)])),
            3
        );
        // UID 4 was message 2 for the client: something before it went, nothing vouched.
        assert_eq!(matched_uid(&messages, &set(&[(2, 2)]), &set(&[(4, 4)])), 0);
        // Any pair in place vouches for itself: message 4 is still UID 6.
        assert_eq!(
            matched_uid(&messages, &set(&[(1, 1), (4, 4)]), &set(&[(9, 9), (6, 6)])),
            6
        );
        // A huge set is looked at no further than the mailbox's message count.
        let all = set(&[(1, u32::MAX)]);
        assert_eq!(matched_uid(&messages, &all, &all), 3);
    }
}
