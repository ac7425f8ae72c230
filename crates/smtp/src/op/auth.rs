//! AUTH PLAIN and LOGIN (RFC 4954, RFC 4616).

use event::Protocol;
use net::login::{Login, Outcome, authenticate};
use proto::smtp::{Reply, decode_base64, decode_plain};

use crate::session::{End, Session, State};

impl Session {
    pub(crate) async fn handle_auth(
        &mut self,
        mechanism: String,
        initial: Option<String>,
    ) -> Result<(), End> {
        // After EHLO, outside a transaction: the table in `state.rs`; HELO is not enough.
        if !self.esmtp() {
            return self
                .error(Reply::new(503, "5.5.1", "Send EHLO first"))
                .await;
        }
        if !self.auth_allowed() {
            return self.error(encryption_required()).await;
        }
        if self.auth().is_some() {
            return self
                .error(Reply::new(503, "5.5.1", "Already authenticated"))
                .await;
        }
        let credentials = match mechanism.as_str() {
            "PLAIN" => self.sasl_plain(initial).await?,
            "LOGIN" => self.sasl_login(initial).await?,
            _ => {
                return self
                    .error(Reply::new(
                        504,
                        "5.5.4",
                        "Unrecognized authentication type; use PLAIN or LOGIN",
                    ))
                    .await;
            }
        };
        let Some((user, password)) = credentials else {
            // Already answered (cancelled or malformed).
            return self.count_error().await;
        };
        // The shared login rule (net::login): TLS, the lockout, the check, the delay.
        let login = Login {
            protocol: Protocol::Smtp,
            session: &self.id,
            peer: self.peer,
            user: &user,
            secure: self.auth_allowed(),
        };
        let check = self.ctx.store.authenticate(&user, &password);
        match authenticate(&self.ctx.lockout, login, check).await {
            Outcome::Ok(account) => {
                tracing::info!(session = %self.id, peer = %self.peer, user = %account.address, "authenticated");
                if let State::Greeted(g) = &mut self.state {
                    g.auth = Some(account);
                }
                self.reply(Reply::new(235, "2.7.0", "Authentication successful"));
                Ok(())
            }
            Outcome::PlaintextRefused => self.error(encryption_required()).await,
            Outcome::Locked(_) => {
                let text = "Too many failed logins, try again later";
                self.error(Reply::new(454, "4.7.0", text)).await
            }
            Outcome::BadCredentials => {
                let text = "Authentication credentials invalid";
                self.error(Reply::new(535, "5.7.8", text)).await
            }
            Outcome::Failed(_) => {
                self.error(Reply::new(454, "4.7.0", "Temporary authentication failure"))
                    .await
            }
        }
    }

    /// RFC 4616 PLAIN: `authzid NUL authcid NUL passwd`, as initial response or after `334 `.
    async fn sasl_plain(
        &mut self,
        initial: Option<String>,
    ) -> Result<Option<(String, String)>, End> {
        let response = match initial {
            // RFC 4954 §4: "=" is an empty initial response.
            Some(r) if r == "=" => String::new(),
            Some(r) => r,
            None => match self.challenge("").await? {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        let decoded = match decode_base64(&response) {
            Ok(d) => d,
            Err(_) => return self.malformed().map(|_| None),
        };
        match decode_plain(&decoded) {
            Ok((authzid, authcid, passwd)) => {
                // We do not support acting as another user.
                if authzid.is_some_and(|z| !z.eq_ignore_ascii_case(&authcid)) {
                    return Ok(Some((String::new(), String::new())));
                }
                Ok(Some((authcid, passwd)))
            }
            Err(_) => self.malformed().map(|_| None),
        }
    }

    /// LOGIN: the user name and the password, each base64 after a 334 prompt.
    async fn sasl_login(
        &mut self,
        initial: Option<String>,
    ) -> Result<Option<(String, String)>, End> {
        let user_b64 = match initial {
            Some(r) => r,
            // base64("Username:")
            None => match self.challenge("VXNlcm5hbWU6").await? {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        let Ok(user) = decode_base64(&user_b64).map(|u| String::from_utf8_lossy(&u).into_owned())
        else {
            return self.malformed().map(|_| None);
        };
        // base64("Password:")
        let Some(pass_b64) = self.challenge("UGFzc3dvcmQ6").await? else {
            return Ok(None);
        };
        let Ok(password) =
            decode_base64(&pass_b64).map(|p| String::from_utf8_lossy(&p).into_owned())
        else {
            return self.malformed().map(|_| None);
        };
        Ok(Some((user, password)))
    }

    /// Sends `334 challenge` and reads the client's line; `None` if cancelled with `*`
    /// (RFC 4954 §4: 501) or too long (already answered).
    async fn challenge(&mut self, challenge: &str) -> Result<Option<String>, End> {
        self.reply(Reply {
            code: 334,
            enhanced: None,
            lines: vec![challenge.to_string()],
        });
        self.flush().await?;
        match self.read_line().await? {
            Some(line) if line.trim() == "*" => {
                self.reply(Reply::new(501, "5.7.0", "Authentication cancelled"));
                Ok(None)
            }
            Some(line) => Ok(Some(line.trim().to_string())),
            None => {
                self.reply(Reply::new(
                    500,
                    "5.5.6",
                    "Authentication exchange line is too long",
                ));
                Ok(None)
            }
        }
    }

    fn malformed(&mut self) -> Result<(), End> {
        self.reply(Reply::new(501, "5.5.2", "Cannot decode response"));
        Ok(())
    }
}

/// RFC 4954 §6: 538 when the mechanism needs an encrypted channel.
fn encryption_required() -> Reply {
    Reply::new(
        538,
        "5.7.11",
        "Encryption required for requested authentication mechanism; use STARTTLS first",
    )
}
