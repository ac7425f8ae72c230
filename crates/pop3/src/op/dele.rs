//! DELE and RSET (RFC 1939 §5): marks only; nothing is removed before QUIT.

use proto::pop3::Reply;

use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_dele(&mut self, msg: u32) -> Result<(), End> {
        let Some(tx) = self.transaction_mut() else {
            return Ok(());
        };
        match tx.mark_deleted(msg) {
            Ok(()) => {
                self.reply(Reply::ok(format!("message {msg} deleted")));
                Ok(())
            }
            Err(reply) => self.error(reply).await,
        }
    }

    pub(crate) fn handle_rset(&mut self) -> Result<(), End> {
        if let Some(tx) = self.transaction_mut() {
            tx.deleted.fill(false);
            let (count, octets) = tx.stat();
            self.reply(Reply::ok(format!(
                "maildrop has {count} messages ({octets} octets)"
            )));
        }
        Ok(())
    }
}
