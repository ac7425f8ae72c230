//! QUIT (RFC 1939 §4, §6) and the UPDATE state.

use proto::pop3::{Reply, RespCode};

use crate::session::{End, Session, State};

impl Session {
    pub(crate) async fn handle_quit(&mut self) -> Result<(), End> {
        let state = std::mem::replace(&mut self.state, State::Authorization { user: None });
        let State::Transaction(tx) = state else {
            // RFC 1939 §4: QUIT before login ends the session; there is nothing to update.
            self.reply(Reply::ok("bye"));
            return Err(End::Closed);
        };
        // RFC 1939 §6 UPDATE: remove the marked messages, all in one durable job, before
        // answering; then the maildrop lock goes with `tx`.
        let marked = tx.marked();
        let reply = if marked.is_empty() {
            Reply::ok("bye")
        } else {
            let count = marked.len();
            match self
                .ctx
                .store
                .delete_messages(tx.account.id, tx.maildrop.mailbox, marked)
                .await
            {
                Ok(deleted) => {
                    tracing::info!(session = %self.id, user = %tx.account.address, deleted, "messages deleted");
                    Reply::ok(format!("{count} messages deleted, bye"))
                }
                Err(e) => {
                    tracing::error!(session = %self.id, error = %e, "deleting messages failed");
                    Reply::err_code(
                        RespCode::SysTemp,
                        "deleted messages were not removed; try again later",
                    )
                }
            }
        };
        drop(tx);
        self.reply(reply);
        Err(End::Closed)
    }
}
