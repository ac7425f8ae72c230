//! LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE PLAIN (RFC 9051 §6.2.2, RFC 4616) with an
//! initial response (RFC 4959 SASL-IR); what they share: the TLS policy, the lockout, the
//! password check.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use event::Protocol;
use net::login::{Login, Outcome, authenticate};
use proto::imap::response::Status;

use crate::policy::login_allowed;
use crate::session::{End, Session};

impl Session {
    pub(crate) async fn handle_login(
        &mut self,
        tag: &str,
        user: String,
        password: String,
    ) -> Result<(), End> {
        self.login(tag, user, password).await
    }

    pub(crate) async fn handle_authenticate(
        &mut self,
        tag: &str,
        mechanism: String,
        initial: Option<String>,
    ) -> Result<(), End> {
        if mechanism != "PLAIN" {
            return self
                .no(tag, "", "unsupported authentication mechanism")
                .await;
        }
        if !login_allowed(self.is_tls(), self.peer.ip()) {
            return self.privacy_required(tag).await;
        }
        let response = match initial {
            Some(r) => r,
            None => {
                // RFC 9051 §6.2.2: an empty challenge, then one line.
                proto::imap::response::untagged_continue(&mut self.shell.wbuf, "");
                self.flush().await?;
                let line = self.next_command().await?;
                String::from_utf8_lossy(&line).into_owned()
            }
        };
        if response == "*" {
            return self.bad(Some(tag), "authentication cancelled").await;
        }
        // RFC 4959 §3: `=` is an empty initial response.
        let decoded = if response == "=" {
            Some(Vec::new())
        } else {
            STANDARD.decode(response.trim()).ok()
        };
        // RFC 4616 §2: [authzid] NUL authcid NUL passwd; authzid must be empty or the user.
        let parts: Option<(String, String)> = decoded.and_then(|d| {
            let mut it = d.split(|&b| b == 0);
            let (authz, authc, pass) = (it.next()?, it.next()?, it.next()?);
            if it.next().is_some() || (!authz.is_empty() && authz != authc) {
                return None;
            }
            Some((
                String::from_utf8(authc.to_vec()).ok()?,
                String::from_utf8(pass.to_vec()).ok()?,
            ))
        });
        match parts {
            Some((user, password)) => self.login(tag, user, password).await,
            None => self.bad(Some(tag), "malformed PLAIN response").await,
        }
    }

    async fn login(&mut self, tag: &str, user: String, password: String) -> Result<(), End> {
        let login =
            Login::plaintext_rule(Protocol::Imap, &self.id, self.peer, &user, self.is_tls());
        let check = self.ctx.store.authenticate(&user, &password);
        let account = match authenticate(&self.ctx.lockout, login, check).await {
            Outcome::Ok(account) => account,
            // RFC 9051 §6.2.3: LOGINDISABLED was advertised; the password was sent in the
            // clear all the same, but it is not even looked at.
            Outcome::PlaintextRefused => return self.privacy_required(tag).await,
            Outcome::Locked(_) => {
                let text = "too many failed logins; try again later";
                return self.no(tag, "UNAVAILABLE", text).await;
            }
            // RFC 5530 §3: AUTHENTICATIONFAILED.
            Outcome::BadCredentials => {
                let text = "invalid user name or password";
                return self.no(tag, "AUTHENTICATIONFAILED", text).await;
            }
            Outcome::Failed(_) => {
                let text = "temporary failure; try again later";
                return self.no(tag, "UNAVAILABLE", text).await;
            }
        };
        tracing::info!(session = %self.id, peer = %self.peer, user = %account.address, "logged in");
        self.logged_in(account);
        // RFC 9051 §6.2.3: the capabilities change after login; say them now.
        let caps = self.capabilities();
        self.reply(
            Some(tag),
            Status::Ok,
            &format!("CAPABILITY {caps}"),
            "logged in",
        );
        Ok(())
    }
}

impl Session {
    /// No password over a connection without TLS (RFC 9051 §6.2.3, RFC 5530 §3).
    async fn privacy_required(&mut self, tag: &str) -> Result<(), End> {
        self.no(tag, "PRIVACYREQUIRED", "use STARTTLS before logging in")
            .await
    }
}
