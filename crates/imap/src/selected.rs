//! The selected mailbox as this session's client knows it: message n is `messages[n - 1]`.
//!
//! Other sessions' changes arrive on the store's change stream; they only mark the mailbox
//! stale. At a point where the client may be told (RFC 9051 §7.5.1: EXPUNGE not during
//! FETCH, STORE or SEARCH by number), the session reads the mailbox again and tells the
//! difference: EXPUNGE for messages gone (VANISHED with QRESYNC, RFC 7162 §3.2.10), FETCH
//! FLAGS for changed flags (with MODSEQ under CONDSTORE, §3.2), EXISTS for new
//! ones. Comparing instead of replaying keeps it right even when the stream lagged.

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
}

impl Selected {
    pub fn new(snap: MailboxSnapshot, read_only: bool) -> Selected {
        Selected {
            id: snap.info.id,
            uid_validity: snap.uid_validity,
            read_only,
            messages: snap.messages,
            stale: false,
        }
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
    pub fn apply(&mut self, updates: &[FlagUpdate]) {
        for u in updates {
            if let Some(seq) = self.seq_of(u.uid) {
                let m = &mut self.messages[seq - 1];
                m.flags.clone_from(&u.flags);
                m.modseq = u.modseq;
            }
        }
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
        if uid {
            let last = self.messages.last().map_or(0, |m| m.uid);
            (0..self.messages.len())
                .filter(|&i| set.contains(self.messages[i].uid, last))
                .collect()
        } else {
            let last = self.messages.len() as u32;
            (0..self.messages.len())
                .filter(|&i| set.contains(i as u32 + 1, last))
                .collect()
        }
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
        // Changed flags: FETCH (RFC 9051 §7.5.2).
        let mut added = Vec::new();
        for m in now.messages {
            match sel.messages.binary_search_by_key(&m.uid, |k| k.uid) {
                Ok(i) => {
                    if sel.messages[i].flags != m.flags {
                        // RFC 7162 §3.2 (4): MODSEQ in every unsolicited FETCH under CONDSTORE.
                        let modseq = if condstore {
                            format!(" MODSEQ ({})", m.modseq)
                        } else {
                            String::new()
                        };
                        out.push(format!(
                            "{} FETCH (UID {}{modseq} FLAGS {})",
                            i + 1,
                            m.uid,
                            flag_list(&m.flags)
                        ));
                    }
                    sel.messages[i] = m;
                }
                Err(_) if sel.messages.last().is_none_or(|l| l.uid < m.uid) => added.push(m),
                Err(_) => {}
            }
        }
        let grew = !added.is_empty();
        sel.messages.extend(added);
        if grew {
            out.push(format!("{} EXISTS", sel.messages.len()));
        }
        for line in out {
            proto::imap::response::untagged(&mut self.shell.wbuf, &line);
        }
    }
}
