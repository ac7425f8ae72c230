//! EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1).

use proto::imap::SequenceSet;

use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_expunge(
        &mut self,
        tag: &str,
        uids: Option<SequenceSet>,
    ) -> Result<(), End> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        if sel.read_only {
            return self.no(tag, "READ-ONLY", "the mailbox is read-only").await;
        }
        let only = uids.map(|set| {
            sel.resolve(&set, true)
                .into_iter()
                .map(|i| sel.messages[i].uid)
                .collect()
        });
        let account = self.account.as_ref().map_or(0, |a| a.id);
        match self.ctx.store.expunge(account, sel.id, only).await {
            Ok(_) => {
                // The difference now includes what we deleted (and what others did).
                if let Some(sel) = self.selected.as_mut() {
                    sel.stale = true;
                }
                self.catch_up(true).await;
                self.ok(tag, "EXPUNGE completed");
                Ok(())
            }
            Err(e) => self.store_failed(tag, e).await,
        }
    }
}
