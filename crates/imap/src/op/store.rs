//! STORE and UID STORE (RFC 9051 §6.4.6): FLAGS, +FLAGS, -FLAGS, with .SILENT; CONDSTORE's
//! UNCHANGEDSINCE and MODIFIED (RFC 7162 §3.1.3).

use proto::imap::response::{self, Status};
use proto::imap::{SequenceSet, StoreArgs, StoreOp};
use store::FlagOp;

use crate::selected::flag_list;
use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_store(&mut self, tag: &str, args: StoreArgs) -> Result<(), End> {
        let (uid, silent) = (args.uid, args.silent);
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        if !uid && !sel.valid_numbers(&args.set) {
            return self.bad(Some(tag), "no such message").await;
        }
        if sel.read_only {
            return self.no(tag, "READ-ONLY", "the mailbox is read-only").await;
        }
        // RFC 9051 §2.3.2: \Recent is gone in IMAP4rev2 and was never settable.
        if args
            .flags
            .iter()
            .any(|f| f.eq_ignore_ascii_case("\\Recent"))
        {
            return self.bad(Some(tag), "\\Recent cannot be stored").await;
        }
        // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE enabling command.
        if args.unchanged_since.is_some() {
            self.enable_condstore();
        }
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        let indexes = sel.resolve(&args.set, uid);
        let uids: Vec<u32> = indexes.iter().map(|&i| sel.messages[i].uid).collect();
        let op = match args.op {
            StoreOp::Replace => FlagOp::Replace,
            StoreOp::Add => FlagOp::Add,
            StoreOp::Remove => FlagOp::Remove,
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let stored = match self
            .ctx
            .store
            .store_flags(account, sel.id, uids, op, args.flags, args.unchanged_since)
            .await
        {
            Ok(s) => s,
            Err(e) => return self.store_failed(tag, e).await,
        };
        let condstore = self.condstore;
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        // RFC 3501 §7.2.6: a new keyword is announced in FLAGS before a FETCH shows it.
        if sel.apply(&stored.updates) {
            sel.flags_response(&mut self.shell.wbuf);
        }
        let changed: Vec<u32> = stored.updates.iter().map(|u| u.uid).collect();
        for i in indexes {
            let Some(m) = sel.messages.get(i) else {
                continue;
            };
            if stored.modified.contains(&m.uid) {
                continue;
            }
            // RFC 7162 §3.1.3: with CONDSTORE, .SILENT still reports the new MODSEQ of the
            // messages that changed.
            let report_modseq = condstore && changed.contains(&m.uid);
            if silent && !report_modseq {
                continue;
            }
            let mut items = Vec::new();
            if uid {
                items.push(format!("UID {}", m.uid));
            }
            if report_modseq || (condstore && !silent) {
                items.push(format!("MODSEQ ({})", m.modseq));
            }
            if !silent {
                items.push(format!("FLAGS {}", flag_list(&m.flags)));
            }
            response::untagged(
                &mut self.shell.wbuf,
                &format!("{} FETCH ({})", i + 1, items.join(" ")),
            );
        }
        self.catch_up(uid).await;
        if stored.modified.is_empty() {
            self.ok(tag, "STORE completed");
        } else {
            // RFC 7162 §3.1.3: MODIFIED names the messages (numbers, or UIDs for UID STORE)
            // that failed the UNCHANGEDSINCE test.
            let sel = self.selected.as_ref();
            let mut failed: Vec<u32> = if uid {
                stored.modified.clone()
            } else {
                stored
                    .modified
                    .iter()
                    .filter_map(|&u| sel.and_then(|s| s.seq_of(u)).map(|n| n as u32))
                    .collect()
            };
            failed.sort_unstable();
            let code = format!("MODIFIED {}", SequenceSet::format(&failed));
            self.reply(Some(tag), Status::Ok, &code, "conditional STORE completed");
        }
        Ok(())
    }
}
