//! COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851), by number or UID, with COPYUID (RFC 4315 §3).

use proto::imap::response::Status;
use proto::imap::{CopyArgs, SequenceSet};
use store::StoreError;

use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_copy(
        &mut self,
        tag: &str,
        args: CopyArgs,
        is_move: bool,
    ) -> Result<(), End> {
        let CopyArgs {
            uid,
            set,
            mailbox: raw,
        } = args;
        let Some(target) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        if !uid && !sel.valid_numbers(&set) {
            return self.bad(Some(tag), "no such message").await;
        }
        if is_move && sel.read_only {
            return self.no(tag, "READ-ONLY", "the mailbox is read-only").await;
        }
        let uids: Vec<u32> = sel
            .resolve(&set, uid)
            .into_iter()
            .map(|i| sel.messages[i].uid)
            .collect();
        let verb = if is_move { "MOVE" } else { "COPY" };
        if uids.is_empty() {
            // RFC 9051 §6.4.8: a UID set naming nothing is not an error.
            self.ok(tag, &format!("{verb} completed"));
            return Ok(());
        }
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let placed = match self
            .ctx
            .store
            .copy_messages(account, sel.id, uids, &target, is_move)
            .await
        {
            Ok(p) => p,
            Err(StoreError::NotFound(_)) => {
                return self.no(tag, "TRYCREATE", "no such mailbox").await;
            }
            // RFC 9208 §4.3: the copies would not fit the quota; nothing was copied.
            Err(StoreError::OverQuota(why)) => return self.no(tag, "OVERQUOTA", &why).await,
            Err(e) => return self.store_failed(tag, e).await,
        };
        let from: Vec<u32> = placed.uids.iter().map(|p| p.0).collect();
        let to: Vec<u32> = placed.uids.iter().map(|p| p.1).collect();
        let code = if placed.uids.is_empty() {
            String::new()
        } else {
            format!(
                "COPYUID {} {} {}",
                placed.uid_validity,
                SequenceSet::format(&from),
                SequenceSet::format(&to)
            )
        };
        if is_move {
            // RFC 6851 §4.3: COPYUID in an untagged OK, before the EXPUNGEs.
            self.reply(None, Status::Ok, &code, "moved");
            if let Some(sel) = self.selected.as_mut() {
                sel.stale = true;
            }
            self.catch_up(true).await;
            self.ok(tag, "MOVE completed");
        } else {
            self.catch_up(uid).await;
            self.reply(Some(tag), Status::Ok, &code, "COPY completed");
        }
        Ok(())
    }
}
