//! STLS (RFC 2595 §4).

use proto::pop3::Reply;

use crate::session::{End, Session, State};

impl Session {
    pub(crate) async fn handle_stls(&mut self) -> Result<(), End> {
        if self.is_tls() {
            return self.error(Reply::err("TLS is already active")).await;
        }
        self.reply(Reply::ok("Begin TLS negotiation"));
        self.flush().await?;
        // RFC 2595 §4: anything pipelined behind STLS was sent in the clear and is thrown
        // away; the session forgets what it learned before TLS.
        self.start_tls().await?;
        self.state = State::Authorization { user: None };
        self.utf8 = false;
        Ok(())
    }
}
