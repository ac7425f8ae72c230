//! STARTTLS (RFC 9051 §6.2.1).

use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_starttls(&mut self, tag: &str) -> Result<(), End> {
        if self.is_tls() {
            return self.bad(Some(tag), "TLS is already active").await;
        }
        self.ok(tag, "Begin TLS negotiation now");
        self.flush().await?;
        // RFC 9051 §6.2.1: anything pipelined behind STARTTLS was sent in the clear and is
        // thrown away; the session forgets what it learned before TLS.
        self.start_tls().await?;
        self.utf8 = false;
        self.rev2 = false;
        Ok(())
    }
}
