//! One SMTP command line to a [`Command`] (RFC 5321 §4.1.1, §4.1.2).

/// A reverse-path or forward-path (RFC 5321 §4.1.2), without the angle brackets and with any
/// source route removed. `Path::Null` is the null reverse-path `<>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Path {
    Null,
    /// `local@domain`; the local part keeps its quoting as sent, the domain is as sent
    /// (address literals included, e.g. `[127.0.0.1]`). `Postmaster` without a domain is
    /// allowed only in RCPT (§4.1.1.3) and comes back as `Mailbox("postmaster".into())`.
    Mailbox(String),
}

/// BODY= of RFC 6152 / RFC 3030.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    SevenBit,
    EightBitMime,
    BinaryMime,
}

/// RET= of RFC 3461 §4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    Full,
    Hdrs,
}

/// NOTIFY= of RFC 3461 §4.1: either `Never` or any of the three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Notify {
    pub never: bool,
    pub success: bool,
    pub failure: bool,
    pub delay: bool,
}

/// The parameters of MAIL FROM that Postroom implements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailParams {
    /// SIZE= (RFC 1870).
    pub size: Option<u64>,
    /// BODY= (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// SMTPUTF8 (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// RET= (RFC 3461).
    pub ret: Option<Ret>,
    /// ENVID=, xtext-decoded (RFC 3461 §4.4).
    pub envid: Option<String>,
    /// AUTH= (RFC 4954 §5), xtext-decoded; `<>` kept as "<>".
    pub auth: Option<String>,
}

/// The parameters of RCPT TO that Postroom implements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RcptParams {
    /// NOTIFY= (RFC 3461 §4.1).
    pub notify: Option<Notify>,
    /// ORCPT= as `addr-type;address`, xtext-decoded (RFC 3461 §4.2).
    pub orcpt: Option<String>,
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Helo(String),
    Ehlo(String),
    Mail { from: Path, params: MailParams },
    Rcpt { to: Path, params: RcptParams },
    Data,
    /// BDAT of RFC 3030 §2: `size` octets follow the command line.
    Bdat { size: u64, last: bool },
    Rset,
    Noop,
    Quit,
    Vrfy(String),
    Expn(String),
    Help,
    StartTls,
    /// AUTH mechanism [initial-response] (RFC 4954 §4); the mechanism is upper-cased, the
    /// initial response is left base64 (`=` stays `=`).
    Auth { mechanism: String, initial: Option<String> },
}

/// Why a line is not a valid command. Each maps to one reply in the session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The verb is not one we know: `500 5.5.1`.
    UnknownCommand,
    /// The arguments do not parse: `501 5.5.4` (or `501 5.1.7`/`5.1.3` for bad addresses,
    /// see `BadAddress`).
    Syntax(&'static str),
    /// A path that is not a valid address: `501 5.1.7` (MAIL) / `501 5.1.3` (RCPT).
    BadAddress(&'static str),
    /// A MAIL/RCPT parameter we do not implement: `555 5.5.4`.
    UnknownParameter(String),
    /// A line containing NUL or bare CR, or non-UTF-8 bytes where they are not allowed.
    InvalidCharacters,
}

/// Parses one command line (without its line ending).
pub fn parse_command(line: &[u8]) -> Result<Command, CommandError> {
    todo!("helper: implement")
}
