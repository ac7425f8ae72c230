//! The server side of a SASL exchange for AUTH (RFC 5034 §4): PLAIN (RFC 4616) and LOGIN,
//! as a small state machine. The payload decoding is shared with SMTP (`smtp::sasl`).
//!
//! Nothing here is specific to POP3 but the framing the session adds (`+ ` challenges, `*`
//! to cancel); IMAP's AUTHENTICATE can drive the same machine.

use crate::smtp::{SaslError, decode_base64, decode_plain};

/// The mechanisms offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Login,
}

impl Mechanism {
    /// Every mechanism, in the order they are advertised.
    pub const ALL: [Mechanism; 2] = [Mechanism::Plain, Mechanism::Login];

    /// The mechanism for a (case-insensitive) name.
    pub fn from_name(name: &str) -> Option<Mechanism> {
        Mechanism::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }

    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
        }
    }
}

/// What the session does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this base64 challenge and feed the client's next line to [`SaslServer::respond`].
    Challenge(&'static str),
    /// The client's credentials. `authzid` is the identity to act as, if the client asked
    /// for one (PLAIN).
    Done {
        authzid: Option<String>,
        user: String,
        password: String,
    },
    /// The client cancelled with `*` (RFC 5034 §4).
    Cancelled,
    /// The response did not decode.
    Failed(SaslError),
}

/// Where the exchange is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    PlainResponse,
    LoginUser,
    LoginPassword(String),
    Finished,
}

/// One exchange. Start it with [`SaslServer::start`]; while it answers
/// [`Step::Challenge`], feed each client line to [`SaslServer::respond`].
#[derive(Debug, Clone)]
pub struct SaslServer {
    expect: Expect,
}

/// base64("Username:") and base64("Password:"), the prompts LOGIN clients expect.
const LOGIN_USER: &str = "VXNlcm5hbWU6";
const LOGIN_PASSWORD: &str = "UGFzc3dvcmQ6";

impl SaslServer {
    /// Starts `mechanism`, with the initial response if the client sent one (`=` is an empty
    /// one, RFC 5034 §4).
    pub fn start(mechanism: Mechanism, initial: Option<&str>) -> (SaslServer, Step) {
        let expect = match mechanism {
            Mechanism::Plain => Expect::PlainResponse,
            Mechanism::Login => Expect::LoginUser,
        };
        let mut server = SaslServer { expect };
        let step = match initial {
            Some(response) => server.respond(response),
            None => server.challenge(),
        };
        (server, step)
    }

    /// Takes the client's response line (without CRLF).
    pub fn respond(&mut self, line: &str) -> Step {
        let line = line.trim();
        if line == "*" {
            self.expect = Expect::Finished;
            return Step::Cancelled;
        }
        let decoded = if line == "=" {
            Ok(Vec::new())
        } else {
            decode_base64(line)
        };
        let decoded = match decoded {
            Ok(d) => d,
            Err(e) => return self.fail(e),
        };
        match std::mem::replace(&mut self.expect, Expect::Finished) {
            Expect::PlainResponse => match decode_plain(&decoded) {
                Ok((authzid, user, password)) => Step::Done {
                    authzid,
                    user,
                    password,
                },
                Err(e) => self.fail(e),
            },
            Expect::LoginUser => match String::from_utf8(decoded) {
                Ok(user) => {
                    self.expect = Expect::LoginPassword(user);
                    self.challenge()
                }
                Err(_) => self.fail(SaslError::Malformed),
            },
            Expect::LoginPassword(user) => match String::from_utf8(decoded) {
                Ok(password) => Step::Done {
                    authzid: None,
                    user,
                    password,
                },
                Err(_) => self.fail(SaslError::Malformed),
            },
            Expect::Finished => self.fail(SaslError::Malformed),
        }
    }

    fn challenge(&self) -> Step {
        match self.expect {
            Expect::LoginUser => Step::Challenge(LOGIN_USER),
            Expect::LoginPassword(_) => Step::Challenge(LOGIN_PASSWORD),
            // RFC 4616 §2: PLAIN's server challenge is empty.
            Expect::PlainResponse | Expect::Finished => Step::Challenge(""),
        }
    }

    fn fail(&mut self, error: SaslError) -> Step {
        self.expect = Expect::Finished;
        Step::Failed(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(user: &str, password: &str) -> Step {
        Step::Done {
            authzid: None,
            user: user.into(),
            password: password.into(),
        }
    }

    #[test]
    fn plain_with_and_without_initial_response() {
        // "\0alice\0secret"
        let (_, step) = SaslServer::start(Mechanism::Plain, Some("AGFsaWNlAHNlY3JldA=="));
        assert_eq!(step, done("alice", "secret"));
        let (mut server, step) = SaslServer::start(Mechanism::Plain, None);
        assert_eq!(step, Step::Challenge(""));
        assert_eq!(
            server.respond("AGFsaWNlAHNlY3JldA=="),
            done("alice", "secret")
        );
        // "bob\0alice\0secret": acting as another user is reported, not hidden.
        let (_, step) = SaslServer::start(Mechanism::Plain, Some("Ym9iAGFsaWNlAHNlY3JldA=="));
        assert_eq!(
            step,
            Step::Done {
                authzid: Some("bob".into()),
                user: "alice".into(),
                password: "secret".into()
            }
        );
    }

    #[test]
    fn login_prompts_for_user_then_password() {
        let (mut server, step) = SaslServer::start(Mechanism::Login, None);
        assert_eq!(step, Step::Challenge("VXNlcm5hbWU6"));
        assert_eq!(server.respond("YWxpY2U="), Step::Challenge("UGFzc3dvcmQ6"));
        assert_eq!(server.respond("c2VjcmV0"), done("alice", "secret"));
        let (mut server, step) = SaslServer::start(Mechanism::Login, Some("YWxpY2U="));
        assert_eq!(step, Step::Challenge("UGFzc3dvcmQ6"));
        assert_eq!(server.respond("c2VjcmV0"), done("alice", "secret"));
    }

    #[test]
    fn cancel_and_garbage_end_the_exchange() {
        let (mut server, _) = SaslServer::start(Mechanism::Login, None);
        assert_eq!(server.respond("*"), Step::Cancelled);
        assert_eq!(
            server.respond("YWxpY2U="),
            Step::Failed(SaslError::Malformed)
        );
        let (_, step) = SaslServer::start(Mechanism::Plain, Some("not base64!"));
        assert_eq!(step, Step::Failed(SaslError::BadBase64));
        // An empty PLAIN response has no user name.
        let (_, step) = SaslServer::start(Mechanism::Plain, Some("="));
        assert_eq!(step, Step::Failed(SaslError::Malformed));
    }

    #[test]
    fn mechanism_names_are_case_insensitive() {
        assert_eq!(Mechanism::from_name("plain"), Some(Mechanism::Plain));
        assert_eq!(Mechanism::from_name("LOGIN"), Some(Mechanism::Login));
        assert_eq!(Mechanism::from_name("CRAM-MD5"), None);
    }
}
