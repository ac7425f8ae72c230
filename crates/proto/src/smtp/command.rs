//! One SMTP command line to a [`Command`] (RFC 5321 §4.1.1, §4.1.2).

use super::address::{PathOf, parse_path};
use super::sasl::xtext_decode;

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
    Mail {
        from: Path,
        params: MailParams,
    },
    Rcpt {
        to: Path,
        params: RcptParams,
    },
    Data,
    /// BDAT of RFC 3030 §2: `size` octets follow the command line.
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Noop,
    Quit,
    Vrfy(String),
    Expn(String),
    Help,
    StartTls,
    /// AUTH mechanism [initial-response] (RFC 4954 §4); the mechanism is upper-cased, the
    /// initial response is left base64 (`=` stays `=`).
    Auth {
        mechanism: String,
        initial: Option<String>,
    },
    /// ETRN node (RFC 1985 §3): `domain`, `@domain` (with its sub-domains) or `#queue`,
    /// kept as sent.
    Etrn(String),
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
    /// A line containing NUL, CR or LF, or bytes after the verb that are not UTF-8.
    InvalidCharacters,
}

/// Parses one command line (without its line ending).
///
/// Verbs and parameter keywords are case-insensitive (§2.4). Trailing spaces are ignored;
/// arguments may be separated by several spaces or tabs. `UnknownParameter` carries the
/// keyword as sent.
pub fn parse_command(line: &[u8]) -> Result<Command, CommandError> {
    // §2.3.8 / §4.1.1.4: CR and LF only ever appear together as the line end; NUL is never
    // valid. A stray one could split a header or a log line further down.
    if line.iter().any(|&b| matches!(b, b'\0' | b'\r' | b'\n')) {
        return Err(CommandError::InvalidCharacters);
    }
    let line = trim_end(line);
    let verb_len = line
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .unwrap_or(line.len());
    let (verb, rest) = line.split_at(verb_len);
    let verb = Verb::from_bytes(verb).ok_or(CommandError::UnknownCommand)?;
    // RFC 6531 §3.3: arguments may be UTF-8, but only well-formed UTF-8.
    let rest = std::str::from_utf8(rest).map_err(|_| CommandError::InvalidCharacters)?;
    let args = rest.trim_start_matches([' ', '\t']);
    match verb {
        // §4.1.1.1: HELO/EHLO need a domain (or address literal); it is kept as sent.
        Verb::Helo | Verb::Ehlo if args.is_empty() => Err(CommandError::Syntax("missing domain")),
        Verb::Helo => Ok(Command::Helo(args.to_string())),
        Verb::Ehlo => Ok(Command::Ehlo(args.to_string())),
        Verb::Mail => {
            let path = strip_prefix_ignore_case(args, "FROM:")
                .ok_or(CommandError::Syntax("expected FROM:"))?;
            let (from, params) = parse_path(path.trim_start_matches([' ', '\t']), PathOf::Mail)?;
            Ok(Command::Mail {
                from,
                params: mail_params(params)?,
            })
        }
        Verb::Rcpt => {
            let path = strip_prefix_ignore_case(args, "TO:")
                .ok_or(CommandError::Syntax("expected TO:"))?;
            let (to, params) = parse_path(path.trim_start_matches([' ', '\t']), PathOf::Rcpt)?;
            Ok(Command::Rcpt {
                to,
                params: rcpt_params(params)?,
            })
        }
        // §4.1.1.4, §4.1.1.5, §4.1.1.10, RFC 3207 §4: no arguments.
        Verb::Data | Verb::Rset | Verb::Quit | Verb::StartTls if !args.is_empty() => {
            Err(CommandError::Syntax("no arguments allowed"))
        }
        Verb::Data => Ok(Command::Data),
        Verb::Rset => Ok(Command::Rset),
        Verb::Quit => Ok(Command::Quit),
        Verb::StartTls => Ok(Command::StartTls),
        Verb::Bdat => bdat(args),
        // §4.1.1.9: NOOP may carry a string, which is ignored; so is HELP's (§4.1.1.8).
        Verb::Noop => Ok(Command::Noop),
        Verb::Help => Ok(Command::Help),
        // §4.1.1.6, §4.1.1.7: a string is required.
        Verb::Vrfy | Verb::Expn if args.is_empty() => Err(CommandError::Syntax("missing argument")),
        Verb::Vrfy => Ok(Command::Vrfy(args.to_string())),
        Verb::Expn => Ok(Command::Expn(args.to_string())),
        Verb::Auth => auth(args),
        // RFC 1985 §3: exactly one argument, the node.
        Verb::Etrn if args.is_empty() || args.contains([' ', '\t']) => {
            Err(CommandError::Syntax("expected ETRN domain"))
        }
        Verb::Etrn => Ok(Command::Etrn(args.to_string())),
    }
}

#[derive(Debug, Clone, Copy)]
enum Verb {
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Auth,
    Etrn,
}

impl Verb {
    fn from_bytes(verb: &[u8]) -> Option<Self> {
        const VERBS: [(&[u8], Verb); 15] = [
            (b"HELO", Verb::Helo),
            (b"EHLO", Verb::Ehlo),
            (b"MAIL", Verb::Mail),
            (b"RCPT", Verb::Rcpt),
            (b"DATA", Verb::Data),
            (b"BDAT", Verb::Bdat),
            (b"RSET", Verb::Rset),
            (b"NOOP", Verb::Noop),
            (b"QUIT", Verb::Quit),
            (b"VRFY", Verb::Vrfy),
            (b"EXPN", Verb::Expn),
            (b"HELP", Verb::Help),
            (b"STARTTLS", Verb::StartTls),
            (b"AUTH", Verb::Auth),
            (b"ETRN", Verb::Etrn),
        ];
        VERBS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(verb))
            .map(|&(_, v)| v)
    }
}

fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = line {
        line = rest;
    }
    line
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split([' ', '\t']).filter(|w| !w.is_empty())
}

/// An unsigned decimal of digits only (`u64::from_str` would also take a leading `+`).
fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// RFC 3030 §2: `BDAT chunk-size [SP "LAST"]`.
fn bdat(args: &str) -> Result<Command, CommandError> {
    let mut words = words(args);
    let size = words
        .next()
        .and_then(decimal)
        .ok_or(CommandError::Syntax("bad chunk size"))?;
    let last = match words.next() {
        None => false,
        Some(w) if w.eq_ignore_ascii_case("LAST") => true,
        Some(_) => return Err(CommandError::Syntax("expected LAST")),
    };
    if words.next().is_some() {
        return Err(CommandError::Syntax("too many arguments"));
    }
    Ok(Command::Bdat { size, last })
}

/// RFC 4954 §4: `AUTH mechanism [initial-response]`.
fn auth(args: &str) -> Result<Command, CommandError> {
    let mut words = words(args);
    let mechanism = words
        .next()
        .ok_or(CommandError::Syntax("missing mechanism"))?;
    // RFC 4422 §3.1: sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_"); accepted in any case.
    let valid = (1..=20).contains(&mechanism.len())
        && mechanism
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(CommandError::Syntax("bad mechanism"));
    }
    let initial = words.next().map(str::to_string);
    if words.next().is_some() {
        return Err(CommandError::Syntax("too many arguments"));
    }
    Ok(Command::Auth {
        mechanism: mechanism.to_ascii_uppercase(),
        initial,
    })
}

/// The `esmtp-param`s after a path (§4.1.2): `keyword[=value]`, keywords case-insensitive.
fn params(s: &str) -> impl Iterator<Item = Result<(&str, Option<&str>), CommandError>> {
    words(s).map(|word| {
        let (keyword, value) = match word.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (word, None),
        };
        // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        let keyword_ok = keyword
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && keyword
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531 §3.3)
        let value_ok = value.is_none_or(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| ('!'..='~').contains(&c) && c != '=' || !c.is_ascii())
        });
        if keyword_ok && value_ok {
            Ok((keyword, value))
        } else {
            Err(CommandError::Syntax("bad parameter"))
        }
    })
}

/// Stores a parameter, refusing a second one of the same keyword.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> Result<(), CommandError> {
    if slot.is_some() {
        return Err(CommandError::Syntax("duplicate parameter"));
    }
    *slot = Some(value.ok_or(CommandError::Syntax("bad parameter value"))?);
    Ok(())
}

/// xtext-decodes a DSN or AUTH value; the decoded text must be printable (RFC 3461 §4.4),
/// since it ends up in headers and DSNs.
fn xtext(value: Option<&str>) -> Option<String> {
    xtext_decode(value?).filter(|s| !s.chars().any(char::is_control))
}

fn mail_params(s: &str) -> Result<MailParams, CommandError> {
    let mut p = MailParams::default();
    for param in params(s) {
        let (keyword, value) = param?;
        match keyword.to_ascii_uppercase().as_str() {
            // RFC 1870 §3: SIZE=1*20DIGIT.
            "SIZE" => set(&mut p.size, value.and_then(decimal))?,
            // RFC 6152 §2, RFC 3030 §3.
            "BODY" => set(
                &mut p.body,
                value.and_then(|v| match v.to_ascii_uppercase().as_str() {
                    "7BIT" => Some(Body::SevenBit),
                    "8BITMIME" => Some(Body::EightBitMime),
                    "BINARYMIME" => Some(Body::BinaryMime),
                    _ => None,
                }),
            )?,
            // RFC 6531 §3.4: SMTPUTF8 has no value.
            "SMTPUTF8" if value.is_some() => {
                return Err(CommandError::Syntax("SMTPUTF8 takes no value"));
            }
            "SMTPUTF8" if p.smtputf8 => return Err(CommandError::Syntax("duplicate parameter")),
            "SMTPUTF8" => p.smtputf8 = true,
            // RFC 3461 §4.3.
            "RET" => set(
                &mut p.ret,
                value.and_then(|v| match v.to_ascii_uppercase().as_str() {
                    "FULL" => Some(Ret::Full),
                    "HDRS" => Some(Ret::Hdrs),
                    _ => None,
                }),
            )?,
            // RFC 3461 §4.4: ENVID=xtext, at most 100 characters.
            "ENVID" => set(&mut p.envid, xtext(value).filter(|v| v.len() <= 100))?,
            // RFC 4954 §5: AUTH=xtext or <>.
            "AUTH" => set(&mut p.auth, xtext(value))?,
            _ => return Err(CommandError::UnknownParameter(keyword.to_string())),
        }
    }
    Ok(p)
}

fn rcpt_params(s: &str) -> Result<RcptParams, CommandError> {
    let mut p = RcptParams::default();
    for param in params(s) {
        let (keyword, value) = param?;
        match keyword.to_ascii_uppercase().as_str() {
            "NOTIFY" => set(&mut p.notify, value.and_then(notify))?,
            // RFC 3461 §4.2: ORCPT=addr-type ";" xtext.
            "ORCPT" => set(
                &mut p.orcpt,
                value.and_then(|v| {
                    let (kind, addr) = v.split_once(';')?;
                    // addr-type = atom (RFC 3461 §4.2); the registered ones are alphanumeric.
                    let kind_ok = !kind.is_empty()
                        && kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if !kind_ok {
                        return None;
                    }
                    Some(format!("{kind};{}", xtext(Some(addr))?))
                }),
            )?,
            _ => return Err(CommandError::UnknownParameter(keyword.to_string())),
        }
    }
    Ok(p)
}

/// RFC 3461 §4.1: `NEVER` alone, or a comma list of SUCCESS, FAILURE, DELAY.
fn notify(value: &str) -> Option<Notify> {
    let mut n = Notify::default();
    for word in value.split(',') {
        let flag = match word.to_ascii_uppercase().as_str() {
            "NEVER" => &mut n.never,
            "SUCCESS" => &mut n.success,
            "FAILURE" => &mut n.failure,
            "DELAY" => &mut n.delay,
            _ => return None,
        };
        if *flag {
            return None;
        }
        *flag = true;
    }
    let any_other = n.success || n.failure || n.delay;
    (!(n.never && any_other)).then_some(n)
}

#[cfg(test)]
mod tests;
