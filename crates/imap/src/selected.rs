//! The selected mailbox as this session's client knows it: message n is `messages[n - 1]`.
//!
//! Other sessions' changes arrive on the store's change stream; they only mark the mailbox
//! stale. At a point where the client may be told (RFC 9051 §7.5.1: EXPUNGE not during
//! FETCH, STORE or SEARCH by number), the session reads the mailbox again and tells the
//! difference: EXPUNGE for messages gone (VANISHED with QRESYNC, RFC 7162 §3.2.10), FETCH
//! FLAGS for changed flags (with MODSEQ under CONDSTORE, §3.2), EXISTS for new
//! ones. Comparing instead of replaying keeps it right even when the stream lagged.

use std::ops::Range;

use proto::imap::SequenceSet;
use store::{Change, FlagUpdate, MailboxSnapshot, MessageMeta};
use tokio::sync::broadcast::error::RecvError;

use crate::session::Session;

pub(crate) struct Selected {
    pub id: i64,
    pub uid_validity: u32,
    pub read_only: bool,
    pub messages: Vec<MessageMeta>,
    /// Another session changed the mailbox since it was last compared.
    pub stale: bool,
    /// RFC 3501 §2.3.2: the UIDs that are \Recent in this session (claimed from the store,
    /// or for EXAMINE those nobody has claimed yet); empty for IMAP4rev2 sessions, which have
    /// no \Recent (RFC 9051 §2.3.2). `\Recent` is kept in these messages' `flags` as the
    /// client sees them, never stored.
    pub recent: Vec<Range<u32>>,
    /// The keywords the client was told in FLAGS (RFC 3501 §7.2.6): a FETCH showing another
    /// one is preceded by a new FLAGS response.
    pub keywords: Vec<String>,
    /// The mailbox's HIGHESTMODSEQ as last read or changed by this session (RFC 7162 §3.1.2).
    pub highest_modseq: u64,
}

/// The system flags every mailbox here has (RFC 3501 §2.3.2); keywords are allowed too.
pub(crate) const SYSTEM_FLAGS: [&str; 5] =
    ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

const RECENT: &str = "\\Recent";

fn is_recent_flag(f: &str) -> bool {
    f.eq_ignore_ascii_case(RECENT)
}

impl Selected {
    pub fn new(snap: MailboxSnapshot, read_only: bool, recent: Vec<Range<u32>>) -> Selected {
        let mut sel = Selected {
            id: snap.info.id,
            uid_validity: snap.uid_validity,
            read_only,
            messages: snap.messages,
            stale: false,
            recent,
            keywords: Vec::new(),
            highest_modseq: snap.highest_modseq,
        };
        for i in 0..sel.messages.len() {
            sel.mark_recent(i);
        }
        let all: Vec<String> = sel.messages.iter().flat_map(|m| m.flags.clone()).collect();
        sel.learn(&all);
        sel
    }

    fn is_recent(&self, uid: u32) -> bool {
        self.recent.iter().any(|r| r.contains(&uid))
    }

    /// Adds `\Recent` to message `i`'s flags if it is recent in this session.
    fn mark_recent(&mut self, i: usize) {
        let uid = self.messages[i].uid;
        if self.is_recent(uid) {
            let flags = &mut self.messages[i].flags;
            if !flags.iter().any(|f| is_recent_flag(f)) {
                flags.insert(0, RECENT.to_string());
            }
        }
    }

    /// RFC 3501 §7.3.2: how many messages are \Recent in this session.
    pub fn recent_count(&self) -> usize {
        self.messages
            .iter()
            .filter(|m| self.is_recent(m.uid))
            .count()
    }

    /// Takes in keywords the client may not know yet; true if there were new ones, which
    /// must be announced with FLAGS ([`Selected::flags_response`]) before they are shown.
    pub fn learn(&mut self, flags: &[String]) -> bool {
        let mut new = false;
        for f in flags {
            if f.starts_with('\\') || self.keywords.iter().any(|k| k.eq_ignore_ascii_case(f)) {
                continue;
            }
            self.keywords.push(f.clone());
            new = true;
        }
        new
    }

    /// `* FLAGS (...)` and, read-write, `* OK [PERMANENTFLAGS (... \*)]`: the system flags
    /// and the keywords known (RFC 3501 §7.2.6, §7.1).
    pub fn flags_response(&self, out: &mut Vec<u8>) {
        let list: Vec<&str> = SYSTEM_FLAGS
            .iter()
            .copied()
            .chain(self.keywords.iter().map(String::as_str))
            .collect();
        let list = list.join(" ");
        proto::imap::response::untagged(out, &format!("FLAGS ({list})"));
        let permanent = if self.read_only {
            "()".to_string()
        } else {
            format!("({list} \\*)")
        };
        proto::imap::response::status(
            out,
            None,
            proto::imap::response::Status::Ok,
            &format!("PERMANENTFLAGS {permanent}"),
            "flags",
        );
    }

    /// Marks the mailbox stale if a change concerns it; a lagging stream may have lost one.
    pub fn note(&mut self, change: Result<Change, RecvError>) {
        match change {
            Ok(
                Change::MessageAdded { mailbox, .. }
                | Change::MessagesExpunged { mailbox, .. }
                | Change::FlagsChanged { mailbox, .. },
            ) if mailbox == self.id => self.stale = true,
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => self.stale = true,
            Err(RecvError::Closed) => {}
        }
    }

    /// Takes in this session's own flag changes, so they are not reported again as news.
    /// True if they hold keywords to announce first.
    pub fn apply(&mut self, updates: &[FlagUpdate]) -> bool {
        let mut new = false;
        for u in updates {
            if let Some(seq) = self.seq_of(u.uid) {
                let m = &mut self.messages[seq - 1];
                m.flags.clone_from(&u.flags);
                m.modseq = u.modseq;
                self.highest_modseq = self.highest_modseq.max(u.modseq);
                self.mark_recent(seq - 1);
                new |= self.learn(&u.flags);
            }
        }
        new
    }

    /// Whether message `i` has `flags` as stored (its `\Recent` aside).
    fn same_flags(&self, i: usize, flags: &[String]) -> bool {
        let mine = self.messages[i].flags.iter().filter(|f| !is_recent_flag(f));
        mine.eq(flags.iter())
    }

    /// The message number of `uid`.
    pub fn seq_of(&self, uid: u32) -> Option<usize> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| i + 1)
    }

    /// The indexes of the messages a set names, by number or (for UID commands) by UID.
    /// RFC 9051 §6.4.8: in a UID set, `*` is the largest UID in use, and UIDs not in use are
    /// ignored.
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Vec<usize> {
        // Each range becomes a run of indexes found by binary search (messages are in UID
        // order): a client's `UID FETCH n` costs O(log n), not a test of every message.
        let count = self.messages.len();
        let last = if uid {
            self.messages.last().map_or(0, |m| m.uid)
        } else {
            count as u32
        };
        let mut runs: Vec<(usize, usize)> = Vec::with_capacity(set.ranges.len());
        for &(a, b) in &set.ranges {
            let (a, b) = (a.resolve(last), b.resolve(last));
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let run = if uid {
                (
                    self.messages.partition_point(|m| m.uid < lo),
                    self.messages.partition_point(|m| m.uid <= hi),
                )
            } else {
                // Message numbers are 1-based indexes.
                (
                    (lo.max(1) as usize - 1).min(count),
                    (hi as usize).min(count),
                )
            };
            if run.0 < run.1 {
                runs.push(run);
            }
        }
        if runs.len() == 1 {
            return (runs[0].0..runs[0].1).collect();
        }
        // Several ranges may overlap or come in any order: merge them, ascending.
        runs.sort_unstable();
        let mut out = Vec::new();
        let mut next = 0;
        for (start, end) in runs {
            out.extend(start.max(next)..end.max(next));
            next = next.max(end);
        }
        out
    }

    /// Whether a by-number set names only messages that exist (RFC 9051 §6.4.8: otherwise
    /// BAD).
    pub fn valid_numbers(&self, set: &SequenceSet) -> bool {
        let last = self.messages.len() as u32;
        set.ranges.iter().all(|&(a, b)| {
            let (a, b) = (a.resolve(last), b.resolve(last));
            a >= 1 && b >= 1 && a <= last && b <= last
        })
    }
}

/// `(\Seen \Flagged)`.
pub(crate) fn flag_list(flags: &[String]) -> String {
    format!("({})", flags.join(" "))
}

impl Session {
    /// RFC 7162 §3.1: a CONDSTORE enabling command (FETCH MODSEQ, STORE UNCHANGEDSINCE,
    /// SEARCH MODSEQ) with a mailbox selected: the first one is answered with the
    /// mailbox's HIGHESTMODSEQ as well.
    pub fn enable_condstore(&mut self) {
        if self.condstore {
            return;
        }
        self.condstore = true;
        if let Some(sel) = self.selected.as_ref() {
            proto::imap::response::status(
                &mut self.shell.wbuf,
                None,
                proto::imap::response::Status::Ok,
                &format!("HIGHESTMODSEQ {}", sel.highest_modseq),
                "modseq",
            );
        }
    }

    /// Reads the changes that arrived and, if the selected mailbox changed, tells the client.
    /// `expunge_ok` is false while message numbers must stay put (RFC 9051 §7.5.1); then the
    /// whole report waits, so EXISTS never counts a message already gone.
    pub async fn catch_up(&mut self, expunge_ok: bool) {
        let (condstore, qresync) = (self.condstore, self.qresync);
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        if let Some(changes) = self.changes.as_mut() {
            loop {
                match changes.try_recv() {
                    Ok(change) => sel.note(Ok(change)),
                    Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                        sel.note(Err(RecvError::Lagged(n)))
                    }
                    Err(_) => break,
                }
            }
        }
        if !sel.stale || !expunge_ok {
            return;
        }
        let (Some(account), id) = (self.account.as_ref().map(|a| a.id), sel.id) else {
            return;
        };
        let now = match self.ctx.store.mailbox_snapshot_by_id(account, id).await {
            Ok(now) => now,
            Err(e) => {
                tracing::warn!(session = %self.id, error = %e, "re-reading the selected mailbox failed");
                return;
            }
        };
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        sel.stale = false;
        let mut out = Vec::new();
        // Gone: EXPUNGE, each number counted after the previous removal (RFC 9051 §7.5.1);
        // with QRESYNC one VANISHED naming their UIDs (RFC 7162 §3.2.10).
        let mut vanished = Vec::new();
        let mut i = 0;
        while i < sel.messages.len() {
            let uid = sel.messages[i].uid;
            if now.messages.binary_search_by_key(&uid, |m| m.uid).is_err() {
                sel.messages.remove(i);
                if qresync {
                    vanished.push(uid);
                } else {
                    out.push(format!("{} EXPUNGE", i + 1));
                }
            } else {
                i += 1;
            }
        }
        if !vanished.is_empty() {
            out.push(format!("VANISHED {}", SequenceSet::format(&vanished)));
        }
        // New messages this session is the first to see are \Recent to it (RFC 3501
        // §2.3.2): claimed before they are told.
        let last = sel.messages.last().map_or(0, |m| m.uid);
        let arrived = now.messages.last().is_some_and(|m| m.uid > last);
        let (read_only, shows_recent) = (sel.read_only, !self.rev2);
        if arrived && shows_recent && !read_only {
            match self.ctx.store.claim_recent(account, id).await {
                Ok(claimed) => {
                    if let Some(sel) = self.selected.as_mut()
                        && !claimed.is_empty()
                    {
                        sel.recent.push(claimed);
                    }
                }
                Err(e) => {
                    tracing::warn!(session = %self.id, error = %e, "claiming recent messages failed")
                }
            }
        }
        let Some(sel) = self.selected.as_mut() else {
            return;
        };
        sel.highest_modseq = sel.highest_modseq.max(now.highest_modseq);
        if arrived && shows_recent && read_only {
            // EXAMINE claims nothing: what no session has claimed is recent (RFC 3501 §6.3.2).
            sel.recent = std::iter::once(now.recent_uid..u32::MAX).collect();
        }
        // Changed flags: FETCH (RFC 9051 §7.5.2).
        let mut added = Vec::new();
        let mut fetches = Vec::new();
        let mut new_keywords = false;
        for m in now.messages {
            match sel.messages.binary_search_by_key(&m.uid, |k| k.uid) {
                Ok(i) => {
                    if !sel.same_flags(i, &m.flags) {
                        new_keywords |= sel.learn(&m.flags);
                        sel.messages[i] = m;
                        sel.mark_recent(i);
                        let m = &sel.messages[i];
                        // RFC 7162 §3.2 (4): MODSEQ in every unsolicited FETCH under CONDSTORE.
                        let modseq = if condstore {
                            format!(" MODSEQ ({})", m.modseq)
                        } else {
                            String::new()
                        };
                        fetches.push(format!(
                            "{} FETCH (UID {}{modseq} FLAGS {})",
                            i + 1,
                            m.uid,
                            flag_list(&m.flags)
                        ));
                    } else {
                        let flags = std::mem::take(&mut sel.messages[i].flags);
                        sel.messages[i] = MessageMeta { flags, ..m };
                    }
                }
                Err(_) if sel.messages.last().is_none_or(|l| l.uid < m.uid) => added.push(m),
                Err(_) => {}
            }
        }
        let grew = !added.is_empty();
        for m in added {
            new_keywords |= sel.learn(&m.flags);
            sel.messages.push(m);
            sel.mark_recent(sel.messages.len() - 1);
        }
        // RFC 3501 §7.2.6: new keywords are announced before a FETCH shows them.
        if new_keywords {
            let mut flags = Vec::new();
            sel.flags_response(&mut flags);
            self.shell.wbuf.extend(flags);
        }
        out.extend(fetches);
        if grew {
            out.push(format!("{} EXISTS", sel.messages.len()));
            // RFC 3501 §7.3.2: IMAP4rev1 tells the recent count with EXISTS.
            if shows_recent {
                out.push(format!("{} RECENT", sel.recent_count()));
            }
        }
        for line in out {
            proto::imap::response::untagged(&mut self.shell.wbuf, &line);
        }
    }
}

#[cfg(test)]
mod tests {
    use proto::imap::{SeqNum, SequenceSet};
    use store::MessageMeta;

    use super::Selected;

    fn mailbox(uids: &[u32]) -> Selected {
        Selected {
            id: 1,
            uid_validity: 1,
            read_only: false,
            messages: uids
                .iter()
                .map(|&uid| MessageMeta {
                    uid,
                    modseq: 1,
                    flags: Vec::new(),
                    internal_date: 0,
                    size: 1,
                })
                .collect(),
            stale: false,
            recent: Vec::new(),
            keywords: Vec::new(),
            highest_modseq: 1,
        }
    }

    /// What `resolve` must equal: every message tested against the set, in mailbox order.
    fn reference(sel: &Selected, set: &SequenceSet, uid: bool) -> Vec<usize> {
        let count = sel.messages.len();
        let last = if uid {
            sel.messages.last().map_or(0, |m| m.uid)
        } else {
            count as u32
        };
        (0..count)
            .filter(|&i| {
                let n = if uid {
                    sel.messages[i].uid
                } else {
                    i as u32 + 1
                };
                set.contains(n, last)
            })
            .collect()
    }

    #[test]
    fn resolve_by_search_equals_testing_every_message() {
        // UIDs with gaps, and sets with single numbers, reversed, overlapping, out-of-range
        // ranges and `*` (RFC 9051 §9).
        let sel = mailbox(&[2, 3, 5, 8, 9, 10, 20, 21, 40]);
        let v = SeqNum::Value;
        let sets: Vec<Vec<(SeqNum, SeqNum)>> = vec![
            vec![(v(5), v(5))],
            vec![(v(4), v(4))],
            vec![(v(1), SeqNum::Last)],
            vec![(SeqNum::Last, v(6))],
            vec![(v(9), v(3)), (v(2), v(4)), (v(21), v(21))],
            vec![(v(30), v(100))],
            vec![(v(100), SeqNum::Last)],
            vec![(v(8), v(8)), (v(1), v(2)), (v(5), v(9)), (v(3), v(3))],
            vec![(SeqNum::Last, SeqNum::Last)],
        ];
        for ranges in sets {
            let set = SequenceSet {
                ranges: ranges.clone(),
                saved: false,
            };
            for uid in [false, true] {
                assert_eq!(
                    sel.resolve(&set, uid),
                    reference(&sel, &set, uid),
                    "{ranges:?} uid={uid}"
                );
            }
        }
        let empty = mailbox(&[]);
        let all = SequenceSet {
            ranges: vec![(v(1), SeqNum::Last)],
            saved: false,
        };
        assert!(empty.resolve(&all, true).is_empty());
        assert!(empty.resolve(&all, false).is_empty());
    }
}
