//! USER and PASS (RFC 1939 §7).

use proto::pop3::Reply;

use crate::policy::{login_allowed, plaintext_refused};
use crate::session::{End, Session, State};

impl Session {
    pub(crate) async fn handle_user(&mut self, name: String) -> Result<(), End> {
        if !login_allowed(self.is_tls(), self.peer.ip()) {
            return self.error(plaintext_refused()).await;
        }
        // Whether the name exists is not said: PASS decides (RFC 1939 §13).
        self.state = State::Authorization { user: Some(name) };
        self.reply(Reply::ok("send PASS"));
        Ok(())
    }

    pub(crate) async fn handle_pass(&mut self, password: String) -> Result<(), End> {
        let user = match &mut self.state {
            State::Authorization { user } => user.take(),
            State::Transaction(_) => None,
        };
        let Some(user) = user else {
            // RFC 1939 §7: PASS only right after a successful USER.
            return self.error(Reply::err("send USER first")).await;
        };
        self.login(user, password).await
    }
}
