//! One POP3 command line to a [`Command`] (RFC 1939 §3-7, RFC 2449 §3, RFC 2595 §4,
//! RFC 5034 §4, RFC 6856 §3).

/// A parsed command line. Keywords are case-insensitive (RFC 1939 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `USER name` (RFC 1939 §7).
    User(String),
    /// `PASS string`: everything after the first space, spaces included (RFC 1939 §7 lets
    /// the server take spaces as part of the password).
    Pass(String),
    /// `APOP name digest` (RFC 1939 §7): recognised so it gets a clear refusal; passwords are
    /// stored hashed, so the shared secret APOP needs does not exist.
    Apop,
    /// `STAT` (RFC 1939 §5).
    Stat,
    /// `LIST [msg]` (RFC 1939 §5).
    List(Option<u32>),
    /// `RETR msg` (RFC 1939 §5).
    Retr(u32),
    /// `DELE msg` (RFC 1939 §5).
    Dele(u32),
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5).
    Rset,
    /// `QUIT` (RFC 1939 §4, §6).
    Quit,
    /// `TOP msg n` (RFC 1939 §7): the header and the first `lines` lines of the body.
    Top { msg: u32, lines: u32 },
    /// `UIDL [msg]` (RFC 1939 §7).
    Uidl(Option<u32>),
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `AUTH [mechanism [initial-response]]` (RFC 5034 §4). Without a mechanism the client
    /// asks for the list of mechanisms (the RFC 1734 form older clients still send).
    Auth {
        mechanism: Option<String>,
        initial: Option<String>,
    },
    /// `UTF8` (RFC 6856 §2).
    Utf8,
}

/// Why a line is not a command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The keyword is not one we know.
    Unknown,
    /// The keyword is known but its arguments are wrong; the text says how, for the `-ERR`.
    Syntax(&'static str),
}

/// Parses one command line (without its line ending).
///
/// Message numbers too large for `u32` become `u32::MAX`, which no maildrop reaches, so the
/// session answers "no such message" rather than a syntax error.
pub fn parse_command(line: &[u8]) -> Result<Command, CommandError> {
    let line = std::str::from_utf8(line).map_err(|_| CommandError::Syntax("not UTF-8"))?;
    if line.chars().any(|c| c.is_ascii_control()) {
        return Err(CommandError::Syntax("control characters in the command"));
    }
    // RFC 2449 §3: keyword, then arguments separated by single spaces. PASS keeps its
    // argument whole; the others tolerate extra spaces.
    let (keyword, rest) = match line.split_once(' ') {
        Some((keyword, rest)) => (keyword, rest),
        None => (line, ""),
    };
    if keyword.eq_ignore_ascii_case("PASS") {
        if rest.is_empty() {
            return Err(CommandError::Syntax("PASS needs a password"));
        }
        return Ok(Command::Pass(rest.to_string()));
    }
    let args: Vec<&str> = rest.split(' ').filter(|a| !a.is_empty()).collect();
    let keyword = keyword.to_ascii_uppercase();
    let command = match (keyword.as_str(), args.as_slice()) {
        ("USER", [name]) => Command::User((*name).to_string()),
        ("USER", _) => return Err(CommandError::Syntax("USER needs one name")),
        ("APOP", _) => Command::Apop,
        ("STAT", []) => Command::Stat,
        ("LIST", []) => Command::List(None),
        ("LIST", [msg]) => Command::List(Some(number(msg)?)),
        ("RETR", [msg]) => Command::Retr(number(msg)?),
        ("DELE", [msg]) => Command::Dele(number(msg)?),
        ("NOOP", []) => Command::Noop,
        ("RSET", []) => Command::Rset,
        ("QUIT", []) => Command::Quit,
        ("TOP", [msg, lines]) => Command::Top {
            msg: number(msg)?,
            lines: number(lines)?,
        },
        ("UIDL", []) => Command::Uidl(None),
        ("UIDL", [msg]) => Command::Uidl(Some(number(msg)?)),
        ("CAPA", []) => Command::Capa,
        ("STLS", []) => Command::Stls,
        ("AUTH", []) => Command::Auth {
            mechanism: None,
            initial: None,
        },
        ("AUTH", [mechanism]) => Command::Auth {
            mechanism: Some(mechanism.to_ascii_uppercase()),
            initial: None,
        },
        ("AUTH", [mechanism, initial]) => Command::Auth {
            mechanism: Some(mechanism.to_ascii_uppercase()),
            initial: Some((*initial).to_string()),
        },
        ("UTF8", []) => Command::Utf8,
        ("STAT" | "NOOP" | "RSET" | "QUIT" | "CAPA" | "STLS" | "UTF8", _) => {
            return Err(CommandError::Syntax("this command takes no arguments"));
        }
        ("LIST" | "UIDL", _) => {
            return Err(CommandError::Syntax("at most one message number"));
        }
        ("RETR" | "DELE", _) => return Err(CommandError::Syntax("one message number")),
        ("TOP", _) => {
            return Err(CommandError::Syntax(
                "TOP needs a message number and a line count",
            ));
        }
        ("AUTH", _) => {
            return Err(CommandError::Syntax(
                "AUTH takes a mechanism and an optional initial response",
            ));
        }
        _ => return Err(CommandError::Unknown),
    };
    Ok(command)
}

/// A message number or line count: decimal digits only (RFC 1939 §3), saturating at
/// `u32::MAX`.
fn number(text: &str) -> Result<u32, CommandError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CommandError::Syntax("not a number"));
    }
    Ok(text.parse::<u32>().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(text: &str) -> String {
        text.to_string()
    }

    #[test]
    fn parses_commands_table() {
        let cases: &[(&str, Command)] = &[
            (
                "USER alice@example.test",
                Command::User(s("alice@example.test")),
            ),
            ("user  bob ", Command::User(s("bob"))),
            ("PASS secret", Command::Pass(s("secret"))),
            ("PASS  two words ", Command::Pass(s(" two words "))),
            ("pass p\u{e5}ss", Command::Pass(s("p\u{e5}ss"))),
            ("APOP mrose c4c9334bac560ecc979e58001b3e22fb", Command::Apop),
            ("STAT", Command::Stat),
            ("stat", Command::Stat),
            ("LIST", Command::List(None)),
            ("LIST 2", Command::List(Some(2))),
            ("LIST 0", Command::List(Some(0))),
            ("RETR 1", Command::Retr(1)),
            ("RETR 99999999999999", Command::Retr(u32::MAX)),
            ("DELE 3", Command::Dele(3)),
            ("NOOP", Command::Noop),
            ("RSET", Command::Rset),
            ("QUIT", Command::Quit),
            ("TOP 1 0", Command::Top { msg: 1, lines: 0 }),
            ("Top 2 10", Command::Top { msg: 2, lines: 10 }),
            ("UIDL", Command::Uidl(None)),
            ("UIDL 7", Command::Uidl(Some(7))),
            ("CAPA", Command::Capa),
            ("STLS", Command::Stls),
            ("UTF8", Command::Utf8),
            (
                "AUTH",
                Command::Auth {
                    mechanism: None,
                    initial: None,
                },
            ),
            (
                "AUTH plain",
                Command::Auth {
                    mechanism: Some(s("PLAIN")),
                    initial: None,
                },
            ),
            (
                "AUTH PLAIN AGFsaWNlAHNlY3JldA==",
                Command::Auth {
                    mechanism: Some(s("PLAIN")),
                    initial: Some(s("AGFsaWNlAHNlY3JldA==")),
                },
            ),
            (
                "AUTH PLAIN =",
                Command::Auth {
                    mechanism: Some(s("PLAIN")),
                    initial: Some(s("=")),
                },
            ),
        ];
        for (line, want) in cases {
            assert_eq!(
                parse_command(line.as_bytes()).as_ref(),
                Ok(want),
                "{line:?}"
            );
        }
    }

    #[test]
    fn refuses_bad_lines_table() {
        let unknown = Err(CommandError::Unknown);
        let cases: &[(&[u8], bool)] = &[
            // (line, is the keyword known?)
            (b"", false),
            (b"HELO x", false),
            (b"RETRX 1", false),
            (b" RETR 1", false),
            (b"USER", true),
            (b"USER a b", true),
            (b"PASS", true),
            (b"PASS ", true),
            (b"STAT 1", true),
            (b"LIST 1 2", true),
            (b"LIST x", true),
            (b"LIST -1", true),
            (b"LIST +1", true),
            (b"RETR", true),
            (b"RETR 1.5", true),
            (b"DELE", true),
            (b"TOP 1", true),
            (b"TOP 1 x", true),
            (b"TOP 1 2 3", true),
            (b"AUTH PLAIN a b", true),
            (b"QUIT now", true),
            (b"USER a\x00b", true),
            (b"USER \xff", true),
        ];
        for (line, known) in cases {
            let got = parse_command(line);
            if *known {
                assert!(
                    matches!(got, Err(CommandError::Syntax(_))),
                    "{line:?}: {got:?}"
                );
            } else {
                assert_eq!(got, unknown, "{line:?}");
            }
        }
    }

    fn keyword() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP",
            "UIDL", "CAPA", "STLS", "AUTH", "UTF8", "user", "Retr", "XTND",
        ])
        .prop_map(str::to_string)
    }

    fn argument() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,12}",
            "[A-Za-z0-9+/=@.]{0,20}",
            "[ -~]{0,10}",
            Just(String::new()),
        ]
    }

    proptest! {
        /// Grammar-shaped lines never panic, and a number that parses is the number sent
        /// (or saturated).
        #[test]
        fn grammar_shaped_lines_parse_consistently(
            keyword in keyword(),
            args in prop::collection::vec(argument(), 0..4),
        ) {
            let line = std::iter::once(keyword.clone()).chain(args.clone()).collect::<Vec<_>>().join(" ");
            if let Ok(Command::Retr(n)) = parse_command(line.as_bytes()) {
                let first = args.iter().find(|a| !a.is_empty()).map_or("", String::as_str);
                let sent: u64 = first.parse().unwrap_or(u64::MAX);
                prop_assert_eq!(u64::from(n), sent.min(u64::from(u32::MAX)));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_command(&line);
        }
    }
}
