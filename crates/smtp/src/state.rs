//! The SMTP session's states and the one table of which command is allowed in which state
//! (RFC 5321 §4.1.4 and §3.3, RFC 3207 §4.2, RFC 4954 §4, RFC 3030 §2, RFC 1985).

use proto::smtp::{Command, MailParams, Path, Reply};
use store::{Account, AccountId, RemoteRecipient};

use crate::Kind;

/// Where the dialogue is. Each state holds what the client told us in it, so leaving the
/// state forgets it: RSET and HELO/EHLO end a transaction, STARTTLS forgets everything.
#[expect(
    clippy::large_enum_variant,
    reason = "one State per session, as the Option<Transaction> it replaces; boxing would \
              allocate once per mail transaction on the accept path"
)]
pub(crate) enum State {
    /// Connected: no HELO/EHLO yet (again after STARTTLS, RFC 3207 §4.2).
    Connected,
    /// After HELO/EHLO, outside a mail transaction.
    Greeted(Greeting),
    /// In a mail transaction (RFC 5321 §3.3), from MAIL to the end of DATA or BDAT LAST.
    Mail(Greeting, Transaction),
}

/// What HELO/EHLO (and AUTH after them) established.
pub(crate) struct Greeting {
    /// The HELO/EHLO argument, sanitized.
    pub helo: String,
    /// EHLO rather than HELO: extensions and MAIL/RCPT parameters may be used.
    pub esmtp: bool,
    /// The account after a successful AUTH; kept across transactions and a new EHLO.
    pub auth: Option<Account>,
}

/// The mail transaction between MAIL and the end of DATA/BDAT LAST (RFC 5321 §3.3).
pub(crate) struct Transaction {
    pub from: Path,
    pub params: MailParams,
    /// Number of accepted RCPT commands.
    pub rcpt_count: usize,
    /// Accepted recipients as given, for the Received header's `for` clause.
    pub first_rcpt: Option<String>,
    pub accounts: Vec<AccountId>,
    pub remote: Vec<RemoteRecipient>,
    /// BDAT: the message so far (RFC 3030); `None` until the first BDAT.
    pub chunks: Option<crate::op::Chunks>,
    /// Mail from the Internet that one of our aliases forwards outside: the domain of the
    /// first such alias, which the SRS envelope sender is made in (`policy.rs`).
    pub srs_domain: Option<String>,
    /// The SPF result for MAIL FROM, for mail from the Internet (`trust::auth`).
    pub spf: Option<trust::SpfCheck>,
}

impl Transaction {
    pub fn new(from: Path, params: MailParams) -> Self {
        Self {
            from,
            params,
            rcpt_count: 0,
            first_rcpt: None,
            accounts: Vec::new(),
            remote: Vec::new(),
            chunks: None,
            srs_domain: None,
            spf: None,
        }
    }
}

impl State {
    pub fn greeting(&self) -> Option<&Greeting> {
        match self {
            State::Connected => None,
            State::Greeted(g) | State::Mail(g, _) => Some(g),
        }
    }

    pub fn transaction(&self) -> Option<&Transaction> {
        match self {
            State::Mail(_, tx) => Some(tx),
            _ => None,
        }
    }

    pub fn transaction_mut(&mut self) -> Option<&mut Transaction> {
        match self {
            State::Mail(_, tx) => Some(tx),
            _ => None,
        }
    }

    /// Ends the transaction (end of data, RSET, HELO/EHLO) and returns it.
    pub fn end_transaction(&mut self) -> Option<Transaction> {
        match std::mem::replace(self, State::Connected) {
            State::Mail(g, tx) => {
                *self = State::Greeted(g);
                Some(tx)
            }
            other => {
                *self = other;
                None
            }
        }
    }

    /// MAIL: starts a transaction; allowed (by [`allowed`]) only when greeted.
    pub fn begin_transaction(&mut self, tx: Transaction) {
        if let State::Greeted(g) = std::mem::replace(self, State::Connected) {
            *self = State::Mail(g, tx);
        }
    }
}

/// THE table: whether `command` may be given in `state` on `kind`'s port, or the reply
/// that refuses it (counted as an error). Finer checks (arguments, TLS, limits) stay in the
/// command's handler; what depends only on the state is decided here.
pub(crate) fn allowed(command: &Command, state: &State, kind: Kind) -> Result<(), Reply> {
    use Command as C;
    use State::{Connected, Greeted, Mail};
    let refuse = |text: &str| Err(Reply::new(503, "5.5.1", text));
    match (command, state) {
        // Any state. HELO/EHLO and RSET end a transaction (§4.1.4, §4.1.1.5); STARTTLS
        // resets the session (RFC 3207 §4.2); VRFY, EXPN, HELP, NOOP, QUIT change nothing.
        (
            C::Helo(_)
            | C::Ehlo(_)
            | C::Rset
            | C::Noop
            | C::Quit
            | C::Vrfy(_)
            | C::Expn(_)
            | C::Help
            | C::StartTls,
            _,
        ) => Ok(()),
        // RFC 3030 §2: a BDAT chunk is read in full whatever the reply, so `op/bdat.rs`
        // reads it first and then refuses it outside a transaction.
        (C::Bdat { .. }, _) => Ok(()),
        // AUTH: after EHLO, outside a transaction (RFC 4954 §4).
        (C::Auth { .. }, Connected) => refuse("Send EHLO first"),
        (C::Auth { .. }, Greeted(_)) => Ok(()),
        (C::Auth { .. }, Mail(..)) => refuse("AUTH not allowed during a mail transaction"),
        // MAIL: after HELO/EHLO, one transaction at a time (§4.1.4).
        (C::Mail { .. }, Connected) => refuse("Send HELO or EHLO first"),
        (C::Mail { .. }, Greeted(_)) => Ok(()),
        (C::Mail { .. }, Mail(..)) => refuse("Nested MAIL command"),
        // RCPT and DATA: inside a transaction; not after BDAT started the message
        // (RFC 3030 §2: BDAT and DATA do not mix).
        (C::Rcpt { .. } | C::Data, Connected | Greeted(_)) => refuse("Need MAIL command first"),
        (C::Rcpt { .. }, Mail(_, tx)) if tx.chunks.is_some() => {
            refuse("RCPT not allowed after BDAT")
        }
        (C::Data, Mail(_, tx)) if tx.chunks.is_some() => refuse("DATA not allowed after BDAT"),
        (C::Rcpt { .. } | C::Data, Mail(..)) => Ok(()),
        // ETRN (RFC 1985): on the MX port, after HELO/EHLO, outside a transaction.
        (C::Etrn(_), _) if kind != Kind::Mx => Err(Reply::new(
            502,
            "5.5.1",
            "ETRN is only available on port 25",
        )),
        (C::Etrn(_), Connected) => refuse("Send EHLO or HELO first"),
        (C::Etrn(_), Greeted(_)) => Ok(()),
        (C::Etrn(_), Mail(..)) => refuse("ETRN is not allowed during a transaction"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn greeted() -> State {
        State::Greeted(Greeting {
            helo: "client.example".into(),
            esmtp: true,
            auth: None,
        })
    }

    fn in_mail() -> State {
        let mut state = greeted();
        state.begin_transaction(Transaction::new(Path::Null, MailParams::default()));
        state
    }

    fn code(command: Command, state: &State, kind: Kind) -> u16 {
        allowed(&command, state, kind).map_or_else(|r| r.code, |()| 0)
    }

    #[test]
    fn the_table_allows_each_command_only_in_its_states() {
        let mail = || Command::Mail {
            from: Path::Null,
            params: MailParams::default(),
        };
        let rcpt = || Command::Rcpt {
            to: Path::Null,
            params: proto::smtp::RcptParams::default(),
        };
        let (connected, greeted, in_mail) = (State::Connected, greeted(), in_mail());
        // (command, code when connected, greeted, in a transaction); 0 = allowed.
        let rows: [(Command, [u16; 3]); 6] = [
            (Command::Noop, [0, 0, 0]),
            (mail(), [503, 0, 503]),
            (rcpt(), [503, 503, 0]),
            (Command::Data, [503, 503, 0]),
            (
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial: None,
                },
                [503, 0, 503],
            ),
            (Command::Etrn("example.org".into()), [503, 0, 503]),
        ];
        for (command, codes) in rows {
            for (state, want) in [&connected, &greeted, &in_mail].into_iter().zip(codes) {
                assert_eq!(code(command.clone(), state, Kind::Mx), want, "{command:?}");
            }
        }
        // ETRN only on port 25, in any state.
        assert_eq!(
            code(Command::Etrn("x".into()), &greeted, Kind::Submission),
            502
        );
    }

    #[test]
    fn a_transaction_ends_back_in_the_greeted_state_with_its_login() {
        let mut state = in_mail();
        assert!(state.transaction().is_some());
        assert!(state.end_transaction().is_some());
        assert!(matches!(state, State::Greeted(_)));
        assert!(state.end_transaction().is_none());
        assert!(state.greeting().is_some_and(|g| g.helo == "client.example"));
    }
}
