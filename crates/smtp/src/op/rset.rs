//! RSET, NOOP and QUIT (RFC 5321 §4.1.1.5, §4.1.1.9, §4.1.1.10).

use proto::smtp::Reply;

use crate::session::{End, Session};

impl Session {
    /// §4.1.1.5: the transaction is aborted; the greeting and a login stay.
    pub(crate) fn handle_rset(&mut self) -> Result<(), End> {
        self.state.end_transaction();
        self.reply(Reply::new(250, "2.0.0", "OK"));
        Ok(())
    }

    pub(crate) fn handle_noop(&mut self) -> Result<(), End> {
        self.reply(Reply::new(250, "2.0.0", "OK"));
        Ok(())
    }

    /// §4.1.1.10: 221, then the connection is closed.
    pub(crate) async fn handle_quit(&mut self) -> Result<(), End> {
        self.reply(Reply::new(
            221,
            "2.0.0",
            format!("{} closing connection", self.hostname()),
        ));
        let _ = self.flush().await;
        Err(End::Closed)
    }
}
