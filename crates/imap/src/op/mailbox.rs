//! CREATE, DELETE, RENAME (RFC 9051 §6.3.4-§6.3.6), SUBSCRIBE, UNSUBSCRIBE (§6.3.7, §6.3.8).

use crate::session::{End, Session};

impl Session {
    fn account_id(&self) -> i64 {
        self.account.as_ref().map_or(0, |a| a.id)
    }

    pub(crate) async fn handle_create(&mut self, tag: &str, raw: Vec<u8>) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        match self
            .ctx
            .store
            .create_mailbox(self.account_id(), &name)
            .await
        {
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
