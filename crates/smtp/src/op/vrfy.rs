//! VRFY, EXPN and HELP (RFC 5321 §3.5, §4.1.1.6-8): what a client may ask about, and how
//! little we tell.

use proto::smtp::Reply;

use crate::session::{End, Session};

impl Session {
    /// §3.5.3: 252 when we will not verify; never reveal which users exist.
    pub(crate) fn handle_vrfy(&mut self) -> Result<(), End> {
        self.reply(Reply::new(
            252,
            "2.5.2",
            "Cannot VRFY user, but will accept message and attempt delivery",
        ));
        Ok(())
    }

    /// §3.5.2: list expansion is a privacy leak; refuse it.
    pub(crate) fn handle_expn(&mut self) -> Result<(), End> {
        self.reply(Reply::new(502, "5.5.1", "EXPN is not available"));
        Ok(())
    }

    pub(crate) fn handle_help(&mut self) -> Result<(), End> {
        self.reply(Reply::new(
            214,
            "2.0.0",
            "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH ETRN HELP",
        ));
        Ok(())
    }
}
