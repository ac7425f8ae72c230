//! HELO and EHLO (RFC 5321 §4.1.1.1) and the extensions we advertise.

use proto::smtp::Reply;

use crate::Kind;
use crate::session::{End, Greeting, Session, State, sanitize};

impl Session {
    pub(crate) fn handle_ehlo(&mut self, name: String, esmtp: bool) -> Result<(), End> {
        // §4.1.4: EHLO/HELO resets any transaction in progress; a login stays.
        let auth = match std::mem::replace(&mut self.state, State::Connected) {
            State::Connected => None,
            State::Greeted(g) | State::Mail(g, _) => g.auth,
        };
        let helo = sanitize(&name);
        let greeting = format!("{} Hello {} [{}]", self.hostname(), helo, self.peer.ip());
        self.state = State::Greeted(Greeting { helo, esmtp, auth });
        if !esmtp {
            self.reply(Reply {
                code: 250,
                enhanced: None,
                lines: vec![greeting],
            });
            return Ok(());
        }
        let mut lines = vec![
            greeting,
            "PIPELINING".to_string(), // RFC 2920
            format!("SIZE {}", self.ctx.config.limits.max_message_size), // RFC 1870
            "8BITMIME".to_string(),   // RFC 6152
            "SMTPUTF8".to_string(),   // RFC 6531
            "ENHANCEDSTATUSCODES".to_string(), // RFC 2034
            "CHUNKING".to_string(),   // RFC 3030
            "DSN".to_string(),        // RFC 3461
        ];
        if self.kind == Kind::Mx {
            lines.push("ETRN".to_string()); // RFC 1985
        }
        if !self.is_tls() {
            lines.push("STARTTLS".to_string()); // RFC 3207
        }
        if self.auth_allowed() && self.auth().is_none() {
            lines.push("AUTH PLAIN LOGIN".to_string()); // RFC 4954
        }
        self.reply(Reply {
            code: 250,
            enhanced: None,
            lines,
        });
        Ok(())
    }

    /// AUTH is offered only over TLS: 465 always, 587 and 25 after STARTTLS (RFC 4954 §4,
    /// plain-text mechanisms need a protected channel).
    pub(crate) fn auth_allowed(&self) -> bool {
        match self.kind {
            Kind::Submissions => true,
            Kind::Mx | Kind::Submission => self.is_tls(),
        }
    }
}
