//! What USER/PASS and AUTH share once the client has given its credentials: the shared
//! login rule (`net::login`: TLS, lockout, password check), the maildrop lock and the
//! snapshot (RFC 1939 §4).

use event::Protocol;
use net::login::{Login, Outcome, authenticate};
use proto::pop3::{Reply, RespCode};

use crate::policy::plaintext_refused;
use crate::session::{End, Session, State, Transaction};

impl Session {
    /// Logs in and enters TRANSACTION, or answers `-ERR` and stays in AUTHORIZATION.
    pub(crate) async fn login(&mut self, user: String, password: String) -> Result<(), End> {
        let login =
            Login::plaintext_rule(Protocol::Pop3, &self.id, self.peer, &user, self.is_tls());
        let check = self.ctx.store.authenticate(&user, &password);
        let account = match authenticate(&self.ctx.lockout, login, check).await {
            Outcome::Ok(account) => account,
            Outcome::PlaintextRefused => return self.error(plaintext_refused()).await,
            // Refused before the password is looked at: while locked even the right one
            // fails. Temporary, so clients retry later instead of asking for a new password.
            Outcome::Locked(_) => {
                let text = "too many failed logins; try again later";
                return self.refuse(RespCode::SysTemp, text).await;
            }
            // RFC 3206 §5: [AUTH], the credentials are wrong.
            Outcome::BadCredentials => {
                let text = "invalid user name or password";
                return self.refuse(RespCode::Auth, text).await;
            }
            Outcome::Failed(_) => {
                let text = "temporary failure; try again later";
                return self.refuse(RespCode::SysTemp, text).await;
            }
        };
        let Some(lock) = self.ctx.maildrops.try_lock(account.id) else {
            // RFC 2449 §8.1.1: another POP3 session holds this maildrop.
            return self
                .refuse(
                    RespCode::InUse,
                    "the maildrop is in use by another POP3 session",
                )
                .await;
        };
        let maildrop = match self.ctx.store.maildrop(account.id).await {
            Ok(maildrop) => maildrop,
            Err(e) => {
                let text = "cannot open the maildrop; try again later";
                return self.temp_failure("opening the maildrop", &e, text).await;
            }
        };
        let tx = Transaction::new(account, maildrop, lock);
        let (count, octets) = tx.stat();
        tracing::info!(session = %self.id, peer = %self.peer, user = %tx.account.address, messages = count, "logged in");
        self.reply(Reply::ok(format!(
            "maildrop has {count} messages ({octets} octets)"
        )));
        self.state = State::Transaction(Box::new(tx));
        Ok(())
    }
}
