//! CAPA (RFC 2449 §5) and UTF8 (RFC 6856 §2).

use proto::pop3::{Reply, write_lines};

use crate::policy::{capabilities, login_allowed};
use crate::session::{End, Session, State};

impl Session {
    pub(crate) fn handle_capa(&mut self) -> Result<(), End> {
        let logged_in = matches!(self.state, State::Transaction(_));
        let lines = capabilities(
            logged_in,
            self.is_tls(),
            login_allowed(self.is_tls(), self.peer.ip()),
        );
        write_lines(
            &Reply::ok("Capability list follows"),
            lines,
            &mut self.shell.wbuf,
        );
        Ok(())
    }

    /// RFC 6856 §2: UTF8 mode. Messages are sent as stored either way; the flag is kept for
    /// the log and for later use.
    pub(crate) fn handle_utf8(&mut self) -> Result<(), End> {
        self.utf8 = true;
        self.reply(Reply::ok("UTF8 enabled"));
        Ok(())
    }
}
