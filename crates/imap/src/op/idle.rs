//! IDLE (RFC 2177, RFC 9051 §6.3.13): changes to the selected mailbox are sent as they are
//! committed, until the client sends DONE.

use crate::session::{AUTOLOGOUT, End, Session};

impl Session {
    pub(crate) async fn handle_idle(&mut self, tag: &str) -> Result<(), End> {
        proto::imap::response::untagged_continue(&mut self.shell.wbuf, "idling");
        self.catch_up(true).await;
        self.flush().await?;
        loop {
            if self.has_input() {
                let line = self.next_command().await?;
                if line.eq_ignore_ascii_case(b"DONE") {
                    self.catch_up(true).await;
                    self.ok(tag, "IDLE terminated");
                    return Ok(());
                }
                // RFC 2177 §3: only DONE may follow IDLE.
                return self.bad(Some(tag), "DONE was expected").await;
            }
            // RFC 2177 §3: clients re-issue IDLE every 29 minutes; the autologout applies.
            self.read_or_change(AUTOLOGOUT).await?;
            self.catch_up(true).await;
            self.flush().await?;
        }
    }
}
