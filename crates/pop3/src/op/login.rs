//! What USER/PASS and AUTH share once the client has given its credentials: the shared
//! login rule (`net::login`: TLS, lockout, password check), the maildrop lock and the
//! snapshot (RFC 1939 §4).

use event::Protocol;
use net::login::{Outcome, authenticate};
use proto::pop3::{Reply, RespCode};

use crate::policy::{login_allowed, plaintext_refused};
use crate::session::{End, Session, State, Transaction, sanitize};

impl Session {
    /// Logs in and enters TRANSACTION, or answers `-ERR` and stays in AUTHORIZATION.
    pub(crate) async fn login(&mut self, user: String, password: String) -> Result<(), End> {
        let secure = login_allowed(self.is_tls(), self.peer.ip());
        let check = self.ctx.store.authenticate(&user, &password);
        let account = match authenticate(&self.ctx.lockout, self.peer.ip(), &user, secure, check)
            .await
        {
            Outcome::Ok(account) => account,
            Outcome::PlaintextRefused => return self.error(plaintext_refused()).await,
            Outcome::Locked(locked) => {
                // Refused before the password is looked at: while locked even the right one
                // fails. Temporary, so clients retry later instead of asking for a new password.
                tracing::warn!(session = %self.id, peer = %self.peer, user = %sanitize(&user), ?locked, "login refused: too many failures");
                event::login_locked(Protocol::Pop3);
                return self
                    .error(Reply::err_code(
                        RespCode::SysTemp,
                        "too many failed logins; try again later",
                    ))
                    .await;
            }
            Outcome::BadCredentials => {
                tracing::warn!(session = %self.id, peer = %self.peer, user = %sanitize(&user), "authentication failed");
                event::login_failed(Protocol::Pop3);
                // RFC 3206 §5: [AUTH], the credentials are wrong.
                return self
                    .error(Reply::err_code(
                        RespCode::Auth,
                        "invalid user name or password",
                    ))
                    .await;
            }
            Outcome::Failed(e) => {
                tracing::error!(session = %self.id, error = %e, "authentication lookup failed");
                return self
                    .error(Reply::err_code(
                        RespCode::SysTemp,
                        "temporary failure; try again later",
                    ))
                    .await;
            }
        };
        let Some(lock) = self.ctx.maildrops.try_lock(account.id) else {
            // RFC 2449 §8.1.1: another POP3 session holds this maildrop.
            return self
                .error(Reply::err_code(
                    RespCode::InUse,
                    "the maildrop is in use by another POP3 session",
                ))
                .await;
        };
        let maildrop = match self.ctx.store.maildrop(account.id).await {
            Ok(maildrop) => maildrop,
            Err(e) => {
                tracing::error!(session = %self.id, error = %e, "opening the maildrop failed");
                return self
                    .error(Reply::err_code(
                        RespCode::SysTemp,
                        "cannot open the maildrop; try again later",
                    ))
                    .await;
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
