//! STORE and UID STORE (RFC 9051 §6.4.6): FLAGS, +FLAGS, -FLAGS, with .SILENT.

use proto::imap::{SequenceSet, StoreOp, response};
use store::FlagOp;

use crate::selected::flag_list;
use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_store(
        &mut self,
        tag: &str,
        uid: bool,
        set: SequenceSet,
        op: StoreOp,
        silent: bool,
        flags: Vec<String>,
    ) -> Result<(), End> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        if !uid && !sel.valid_numbers(&set) {
            return self.bad(Some(tag), "no such message").await;
        }
        if sel.read_only {
            return self.no(tag, "READ-ONLY", "the mailbox is read-only").await;
        }
        // RFC 9051 §2.3.2: \Recent is gone in IMAP4rev2 and was never settable.
        if flags.iter().any(|f| f.eq_ignore_ascii_case("\\Recent")) {
            return self.bad(Some(tag), "\\Recent cannot be stored").await;
        }
        let indexes = sel.resolve(&set, uid);
        let uids: Vec<u32> = indexes.iter().map(|&i| sel.messages[i].uid).collect();
        let op = match op {
            StoreOp::Replace => FlagOp::Replace,
            StoreOp::Add => FlagOp::Add,
            StoreOp::Remove => FlagOp::Remove,
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let updates = match self
            .ctx
            .store
            .store_flags(account, sel.id, uids, op, flags)
            .await
        {
            Ok(u) => u,
            Err(e) => return self.store_failed(tag, e).await,
        };
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        for u in updates {
            if let Some(seq) = sel.seq_of(u.uid) {
                let m = &mut sel.messages[seq - 1];
                m.flags = u.flags;
                m.modseq = u.modseq;
            }
        }
        if !silent {
            for i in indexes {
                let Some(m) = sel.messages.get(i) else {
                    continue;
                };
                let uid_item = if uid {
                    format!("UID {} ", m.uid)
                } else {
                    String::new()
                };
                response::untagged(
                    &mut self.wbuf,
                    &format!("{} FETCH ({uid_item}FLAGS {})", i + 1, flag_list(&m.flags)),
                );
            }
        }
        self.catch_up(uid).await;
        self.ok(tag, "STORE completed");
        Ok(())
    }
}
