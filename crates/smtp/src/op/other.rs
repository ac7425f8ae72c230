//! VRFY, EXPN and HELP (RFC 5321 §3.5, §4.1.1.6-8).

use proto::smtp::{Command, Reply};

use crate::session::{End, Session};

impl Session {
    pub(crate) fn handle_other(&mut self, command: Command) -> Result<(), End> {
        let reply = match command {
            // §3.5.3: 252 when we will not verify; never reveal which users exist.
            Command::Vrfy(_) => Reply::new(
                252,
                "2.5.2",
                "Cannot VRFY user, but will accept message and attempt delivery",
            ),
            // §3.5.2: list expansion is a privacy leak; refuse it.
            Command::Expn(_) => Reply::new(502, "5.5.1", "EXPN is not available"),
            _ => Reply::new(
                214,
                "2.0.0",
                "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH ETRN HELP",
            ),
        };
        self.reply(reply);
        Ok(())
    }
}
