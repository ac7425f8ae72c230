//! STARTTLS (RFC 3207).

use proto::smtp::Reply;

use crate::session::{End, Session, State};

impl Session {
    pub(crate) async fn handle_starttls(&mut self) -> Result<(), End> {
        if self.is_tls() {
            return self
                .error(Reply::new(503, "5.5.1", "TLS already active"))
                .await;
        }
        self.reply(Reply::new(220, "2.0.0", "Ready to start TLS"));
        self.flush().await?;
        // RFC 3207 §4.2 and CVE-2011-0411: anything the client pipelined behind STARTTLS was
        // sent in the clear and must not be executed inside the TLS session (the shell
        // throws it away).
        self.shell
            .start_tls(&self.ctx.tls, &self.id, self.peer, "STARTTLS")
            .await?;
        // §4.2: the server discards all knowledge obtained from the client before TLS.
        self.state = State::Connected;
        Ok(())
    }
}
