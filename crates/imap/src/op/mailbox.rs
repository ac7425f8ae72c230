//! CREATE (with CREATE-SPECIAL-USE, RFC 6154 §3), DELETE, RENAME (RFC 9051 §6.3.4-§6.3.6),
//! SUBSCRIBE, UNSUBSCRIBE (§6.3.7, §6.3.8).

use crate::session::{End, Session};

/// The special uses (RFC 6154 §2) a created mailbox may have.
const STORED_USES: [&str; 5] = ["\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash"];

impl Session {
    fn account_id(&self) -> i64 {
        self.account.as_ref().map_or(0, |a| a.id)
    }

    /// CREATE, with CREATE-SPECIAL-USE (RFC 6154 §3) when `special_use` is not empty.
    pub(crate) async fn handle_create(
        &mut self,
        tag: &str,
        raw: Vec<u8>,
        special_use: Vec<String>,
    ) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        let account = self.account_id();
        let created = match special_use.as_slice() {
            [] => self.ctx.store.create_mailbox(account, &name).await,
            [one] => {
                // RFC 6154 §3: an unsupported use is NO [USEATTR], and the mailbox is not
                // created. \All and \Flagged are virtual mailboxes, not kept here.
                let Some(canonical) = STORED_USES.iter().find(|u| u.eq_ignore_ascii_case(one))
                else {
                    return self
                        .no(tag, "USEATTR", "this special use is not supported")
                        .await;
                };
                match self
                    .ctx
                    .store
                    .create_mailbox_with_use(account, &name, canonical)
                    .await
                {
                    // One mailbox per use: a second one is refused the same way.
                    Ok(false) => {
                        return self
                            .no(tag, "USEATTR", "another mailbox has this special use")
                            .await;
                    }
                    Ok(true) => Ok(()),
                    Err(e) => Err(e),
                }
            }
            // A mailbox has at most one special use here.
            _ => {
                return self
                    .no(tag, "USEATTR", "only one special use per mailbox")
                    .await;
            }
        };
        match created {
            Ok(()) => {
                self.ok(tag, "CREATE completed");
                Ok(())
            }
            Err(e) => self.store_failed(tag, e).await,
        }
    }

    pub(crate) async fn handle_delete(&mut self, tag: &str, raw: Vec<u8>) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        match self
            .ctx
            .store
            .delete_mailbox(self.account_id(), &name)
            .await
        {
            Ok(()) => {
                self.ok(tag, "DELETE completed");
                Ok(())
            }
            Err(e) => self.store_failed(tag, e).await,
        }
    }

    pub(crate) async fn handle_rename(
        &mut self,
        tag: &str,
        from: Vec<u8>,
        to: Vec<u8>,
    ) -> Result<(), End> {
        let (Some(from), Some(to)) = (self.mailbox_name(&from), self.mailbox_name(&to)) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        match self
            .ctx
            .store
            .rename_mailbox(self.account_id(), &from, &to)
            .await
        {
            Ok(()) => {
                self.ok(tag, "RENAME completed");
                Ok(())
            }
            Err(e) => self.store_failed(tag, e).await,
        }
    }

    pub(crate) async fn handle_subscribe(
        &mut self,
        tag: &str,
        raw: Vec<u8>,
        on: bool,
    ) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        match self
            .ctx
            .store
            .set_subscribed(self.account_id(), &name, on)
            .await
        {
            Ok(()) => {
                self.ok(
                    tag,
                    if on {
                        "SUBSCRIBE completed"
                    } else {
                        "UNSUBSCRIBE completed"
                    },
                );
                Ok(())
            }
            Err(e) => self.store_failed(tag, e).await,
        }
    }
}
