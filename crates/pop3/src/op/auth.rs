//! AUTH PLAIN and LOGIN (RFC 5034 §4), with or without an initial response.

use proto::pop3::{Mechanism, Reply, RespCode, SaslServer, Step, write_challenge, write_lines};

use crate::policy::login_allowed;
use crate::session::{End, Session, State};

impl Session {
    pub(crate) async fn handle_auth(
        &mut self,
        mechanism: Option<String>,
        initial: Option<String>,
    ) -> Result<(), End> {
        let Some(name) = mechanism else {
            // AUTH alone (the RFC 1734 form some clients still send): the mechanisms.
            let names = Mechanism::ALL.map(Mechanism::name);
            write_lines(&Reply::ok("methods supported"), names, &mut self.shell.wbuf);
            return Ok(());
        };
        // A USER given before is forgotten: AUTH starts a login of its own.
        self.state = State::Authorization { user: None };
        if !login_allowed(self.is_tls(), self.peer.ip()) {
            return self
                .refuse(
                    RespCode::Auth,
                    "authentication is not allowed without TLS; use STLS first",
                )
                .await;
        }
        let Some(mechanism) = Mechanism::from_name(&name) else {
            return self
                .error(Reply::err("unsupported mechanism; use PLAIN or LOGIN"))
                .await;
        };
        let (mut exchange, mut step) = SaslServer::start(mechanism, initial.as_deref());
        loop {
            step = match step {
                Step::Challenge(challenge) => {
                    write_challenge(challenge, &mut self.shell.wbuf);
                    self.flush().await?;
                    match self.read_line().await? {
                        Some(line) => exchange.respond(&line),
                        None => return self.error(Reply::err("line too long")).await,
                    }
                }
                // RFC 5034 §4: a cancelled exchange is answered with -ERR.
                Step::Cancelled => {
                    return self.error(Reply::err("authentication cancelled")).await;
                }
                Step::Failed(_) => {
                    return self.error(Reply::err("cannot decode the response")).await;
                }
                Step::Done {
                    authzid,
                    user,
                    password,
                } => {
                    if authzid.is_some_and(|z| !z.eq_ignore_ascii_case(&user)) {
                        return self
                            .refuse(
                                RespCode::Auth,
                                "logging in as another user is not supported",
                            )
                            .await;
                    }
                    return self.login(user, password).await;
                }
            };
        }
    }
}
