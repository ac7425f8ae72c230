//! APPEND (RFC 9051 §6.3.12) with APPENDUID (RFC 4315 §3). The tagged OK is sent only after
//! the store's commit returned: the message is durable.

use proto::imap::response::Status;
use store::StoreError;

use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_append(
        &mut self,
        tag: &str,
        raw: Vec<u8>,
        flags: Vec<String>,
        date: Option<i64>,
        message: Vec<u8>,
    ) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        if flags.iter().any(|f| f.eq_ignore_ascii_case("\\Recent")) {
            return self.bad(Some(tag), "\\Recent cannot be set").await;
        }
        if message.is_empty() {
            return self.no(tag, "", "an empty message is not stored").await;
        }
        let account = self.account.as_ref().map_or(0, |a| a.id);
        match self
            .ctx
            .store
            .append(account, &name, message, flags, date)
            .await
        {
            Ok(placed) => {
                let uid = placed.uids.first().map_or(0, |p| p.1);
                // The selected mailbox may have grown: tell the client before the OK.
                self.catch_up(true).await;
                self.reply(
                    Some(tag),
                    Status::Ok,
                    &format!("APPENDUID {} {uid}", placed.uid_validity),
                    "APPEND completed",
                );
                Ok(())
            }
            // RFC 9051 §6.3.12: TRYCREATE when the mailbox does not exist.
            Err(StoreError::NotFound(_)) => self.no(tag, "TRYCREATE", "no such mailbox").await,
            // RFC 9208 §4.3 / §7: the message does not fit the account's quota.
            Err(StoreError::OverQuota(why)) => self.no(tag, "OVERQUOTA", &why).await,
            Err(e) => self.store_failed(tag, e).await,
        }
    }
}
