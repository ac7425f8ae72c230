//! Table-driven and property tests for `parse_command` and the path grammar.

use super::*;
use proptest::prelude::*;

fn mbox(s: &str) -> Path {
    Path::Mailbox(s.to_string())
}

fn mail(from: Path) -> Command {
    Command::Mail {
        from,
        params: MailParams::default(),
    }
}

fn rcpt(to: Path) -> Command {
    Command::Rcpt {
        to,
        params: RcptParams::default(),
    }
}

fn bdat(size: u64, last: bool) -> Command {
    Command::Bdat { size, last }
}

fn auth(mechanism: &str, initial: Option<&str>) -> Command {
    Command::Auth {
        mechanism: mechanism.into(),
        initial: initial.map(Into::into),
    }
}

/// A check on a parse result, for the rejection tables.
type Check = fn(&Result<Command, CommandError>) -> bool;

fn parse(s: &str) -> Result<Command, CommandError> {
    parse_command(s.as_bytes())
}

#[test]
fn parses_simple_commands_table() {
    use Command as C;
    let cases: &[(&str, C)] = &[
        ("HELO mx.example", C::Helo("mx.example".into())),
        ("ehlo mx.example", C::Ehlo("mx.example".into())),
        ("EhLo [192.0.2.1]", C::Ehlo("[192.0.2.1]".into())),
        ("EHLO  mx.example  ", C::Ehlo("mx.example".into())),
        ("DATA", C::Data),
        ("data  ", C::Data),
        ("RSET", C::Rset),
        ("NOOP", C::Noop),
        ("noop anything at all", C::Noop),
        ("QUIT", C::Quit),
        ("VRFY postmaster", C::Vrfy("postmaster".into())),
        ("EXPN staff list", C::Expn("staff list".into())),
        ("HELP", C::Help),
        ("HELP MAIL", C::Help),
        ("STARTTLS", C::StartTls),
        ("starttls", C::StartTls),
        ("BDAT 0", bdat(0, false)),
        ("BDAT 1000 LAST", bdat(1000, true)),
        ("bdat 18446744073709551615 last", bdat(u64::MAX, true)),
        ("AUTH PLAIN", auth("PLAIN", None)),
        (
            "auth plain AHVzZXIAcGFzcw==",
            auth("PLAIN", Some("AHVzZXIAcGFzcw==")),
        ),
        ("AUTH LOGIN =", auth("LOGIN", Some("="))),
        ("AUTH SCRAM-SHA-256", auth("SCRAM-SHA-256", None)),
        ("HELO\tmx.example", C::Helo("mx.example".into())),
    ];
    for (line, want) in cases {
        assert_eq!(parse(line).as_ref(), Ok(want), "{line:?}");
    }
}

#[test]
fn rejects_malformed_commands_table() {
    use CommandError as E;
    let syntax = |e: &Result<Command, E>| matches!(e, Err(E::Syntax(_)));
    let cases: &[(&[u8], Check)] = &[
        // Unknown verbs, including prefixes and run-ons of known ones.
        (b"", |e| e == &Err(E::UnknownCommand)),
        (b"HELLO x", |e| e == &Err(E::UnknownCommand)),
        (b"MAILFROM:<a@b>", |e| e == &Err(E::UnknownCommand)),
        (b"DATAX", |e| e == &Err(E::UnknownCommand)),
        (b" DATA", |e| e == &Err(E::UnknownCommand)),
        (b"\xffDATA", |e| e == &Err(E::UnknownCommand)),
        // §4.1.1.1: the domain is required.
        (b"HELO", syntax),
        (b"EHLO   ", syntax),
        // No arguments allowed.
        (b"DATA x", syntax),
        (b"RSET x", syntax),
        (b"QUIT now", syntax),
        (b"STARTTLS x", syntax),
        (b"VRFY", syntax),
        (b"EXPN", syntax),
        // BDAT: digits only, no overflow, only LAST after it.
        (b"BDAT", syntax),
        (b"BDAT +5", syntax),
        (b"BDAT -1", syntax),
        (b"BDAT 1e3", syntax),
        (b"BDAT 18446744073709551616", syntax),
        (b"BDAT 99999999999999999999999999", syntax),
        (b"BDAT 10 FIRST", syntax),
        (b"BDAT 10 LAST more", syntax),
        (b"AUTH", syntax),
        (b"AUTH PL@IN", syntax),
        (b"AUTH ABCDEFGHIJKLMNOPQRSTU", syntax),
        (b"AUTH PLAIN a b", syntax),
        // NUL, CR, LF and invalid UTF-8 are refused whatever the verb.
        (b"NOOP\0", |e| e == &Err(E::InvalidCharacters)),
        (b"EHLO a\rb", |e| e == &Err(E::InvalidCharacters)),
        (b"EHLO a\nb", |e| e == &Err(E::InvalidCharacters)),
        (b"XYZZY\0", |e| e == &Err(E::InvalidCharacters)),
        (b"MAIL FROM:<\xff@example.com>", |e| {
            e == &Err(E::InvalidCharacters)
        }),
        (b"RCPT TO:<a@ex\xc3ample.com>", |e| {
            e == &Err(E::InvalidCharacters)
        }),
        (b"EHLO \xc0\xaf", |e| e == &Err(E::InvalidCharacters)),
    ];
    for (line, check) in cases {
        let got = parse_command(line);
        assert!(
            check(&got),
            "{:?} gave {got:?}",
            line.escape_ascii().to_string()
        );
    }
}

#[test]
fn parses_paths_table() {
    let cases: &[(&str, Command)] = &[
        ("MAIL FROM:<a@example.com>", mail(mbox("a@example.com"))),
        ("mail from:<a@example.com>", mail(mbox("a@example.com"))),
        // Lenient like Postfix: a space after the colon, no angle brackets.
        ("MAIL FROM: <a@example.com>", mail(mbox("a@example.com"))),
        ("MAIL FROM:a@example.com", mail(mbox("a@example.com"))),
        ("MAIL  FROM:  a@example.com  ", mail(mbox("a@example.com"))),
        // §4.1.1.2: the null reverse-path.
        ("MAIL FROM:<>", mail(Path::Null)),
        ("MAIL FROM: <>", mail(Path::Null)),
        // §4.1.2 / Appendix C: source routes are dropped.
        (
            "MAIL FROM:<@relay.example:a@example.com>",
            mail(mbox("a@example.com")),
        ),
        (
            "RCPT TO:<@one.example,@[192.0.2.1]:b@example.com>",
            rcpt(mbox("b@example.com")),
        ),
        (
            "RCPT TO:<@[IPv6:2001:db8::1]:b@example.com>",
            rcpt(mbox("b@example.com")),
        ),
        // §4.1.1.3: Postmaster without a domain, any case, only in RCPT.
        ("RCPT TO:<Postmaster>", rcpt(mbox("postmaster"))),
        ("rcpt to:<POSTMASTER>", rcpt(mbox("postmaster"))),
        ("RCPT TO:postmaster", rcpt(mbox("postmaster"))),
        (
            "RCPT TO:<postmaster@example.com>",
            rcpt(mbox("postmaster@example.com")),
        ),
    ];
    for (line, want) in cases {
        assert_eq!(parse(line).as_ref(), Ok(want), "{line:?}");
    }
    // Accepted in RCPT and kept exactly as sent: RCPT TO:<address> gives that mailbox.
    let as_sent: &[&str] = &[
        // Local parts: dot-atom and quoted-string, kept as sent.
        "first.last+tag@example.com",
        "!#$%&'*+-/=?^_`{|}~@example.com",
        "\"john doe\"@example.com",
        "\"a>b@c\"@example.com",
        "\"a\\\"b\"@example.com",
        "\"\"@example.com",
        // Domains: hostnames and address literals (§4.1.3).
        "a@localhost",
        "a@[192.0.2.1]",
        "a@[010.0.0.255]",
        "a@[IPv6:2001:db8::1]",
        "a@[ipv6:::ffff:192.0.2.1]",
        "a@x-1.example",
        // RFC 6531: UTF-8 local part and domain.
        "j\u{f8}rgen@bl\u{e5}b\u{e6}r.example",
        "\u{7528}\u{6237}@\u{4f8b}\u{5b50}.\u{5e7f}\u{544a}",
        "\"\u{e9} \u{e9}\"@example.com",
    ];
    for address in as_sent {
        let line = format!("RCPT TO:<{address}>");
        assert_eq!(parse(&line), Ok(rcpt(mbox(address))), "{line:?}");
    }
}

#[test]
fn rejects_bad_paths_table() {
    use CommandError as E;
    let bad = |e: &Result<Command, E>| matches!(e, Err(E::BadAddress(_)));
    let syntax = |e: &Result<Command, E>| matches!(e, Err(E::Syntax(_)));
    let cases: &[(&str, Check)] = &[
        ("MAIL FROM", syntax),
        ("MAIL TO:<a@b>", syntax),
        ("MAIL FROM:", syntax),
        ("MAIL FROM:   ", syntax),
        ("RCPT FROM:<a@b>", syntax),
        ("RCPT TO:", syntax),
        ("MAIL FROM:<a@b.example>SIZE=1", syntax),
        ("MAIL FROM:<a@b.example", bad),
        // A forward-path is never null; Postmaster alone only for RCPT.
        ("RCPT TO:<>", bad),
        ("MAIL FROM:<postmaster>", bad),
        ("RCPT TO:<postmaster2>", bad),
        // Local parts.
        ("RCPT TO:<.a@example.com>", bad),
        ("RCPT TO:<a.@example.com>", bad),
        ("RCPT TO:<a..b@example.com>", bad),
        ("RCPT TO:<a b@example.com>", bad),
        ("RCPT TO:<a(b)@example.com>", bad),
        ("RCPT TO:<a\"b@example.com>", bad),
        ("RCPT TO:<\"unterminated@example.com>", bad),
        ("RCPT TO:<\"a\"b@example.com>", bad),
        ("RCPT TO:<\"a\tb\"@example.com>", bad),
        ("RCPT TO:<\"a\\\u{1}\"@example.com>", bad),
        ("RCPT TO:<@example.com>", bad),
        ("RCPT TO:<a\u{a0}b@example.com>", bad),
        ("RCPT TO:<a\u{7f}@example.com>", bad),
        // Domains.
        ("RCPT TO:<a>", bad),
        ("RCPT TO:<a@>", bad),
        ("RCPT TO:<a@b@example.com>", bad),
        ("RCPT TO:<a@example..com>", bad),
        ("RCPT TO:<a@example.com.>", bad),
        ("RCPT TO:<a@.example.com>", bad),
        ("RCPT TO:<a@-example.com>", bad),
        ("RCPT TO:<a@example-.com>", bad),
        ("RCPT TO:<a@exa_mple.com>", bad),
        ("RCPT TO:<a@exa mple.com>", bad),
        ("RCPT TO:<a@[192.0.2.256]>", bad),
        ("RCPT TO:<a@[192.0.2]>", bad),
        ("RCPT TO:<a@[192.0.2.1.5]>", bad),
        ("RCPT TO:<a@[0001.0.0.1]>", bad),
        ("RCPT TO:<a@[IPv6:2001:db8::g]>", bad),
        ("RCPT TO:<a@[IPv6:]>", bad),
        ("RCPT TO:<a@[x-tag:content]>", bad),
        ("RCPT TO:<a@[192.0.2.1>", bad),
        ("RCPT TO:<a@192.0.2.1]>", bad),
        ("RCPT TO:a@exa<mple.com", bad),
        // Source routes must be well formed.
        ("RCPT TO:<@:a@example.com>", bad),
        ("RCPT TO:<@x,a@example.com>", bad),
        ("RCPT TO:<@x,:a@example.com>", bad),
        ("RCPT TO:<@x:>", bad),
        ("RCPT TO:<@[1.2.3.4>", bad),
        ("RCPT TO:<@[IPv6:::1]>", bad),
    ];
    for (line, check) in cases {
        let got = parse(line);
        assert!(check(&got), "{line:?} gave {got:?}");
    }
}

#[test]
fn long_labels_and_domains_are_refused() {
    let label63 = "a".repeat(63);
    assert!(parse(&format!("RCPT TO:<x@{label63}.example>")).is_ok());
    assert!(matches!(
        parse(&format!("RCPT TO:<x@{label63}a.example>")),
        Err(CommandError::BadAddress(_))
    ));
    let domain = vec!["abcdefg"; 32].join(".");
    assert_eq!(domain.len(), 255);
    assert!(parse(&format!("RCPT TO:<x@{domain}>")).is_ok());
    assert!(matches!(
        parse(&format!("RCPT TO:<x@a{domain}>")),
        Err(CommandError::BadAddress(_))
    ));
}

#[test]
fn parses_mail_parameters_table() {
    let from = mbox("a@example.com");
    let p = |params: MailParams| Command::Mail {
        from: from.clone(),
        params,
    };
    let d = MailParams::default;
    let cases: Vec<(&str, Command)> = vec![
        (
            "MAIL FROM:<a@example.com> SIZE=1000",
            p(MailParams {
                size: Some(1000),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> size=0",
            p(MailParams {
                size: Some(0),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> BODY=8BITMIME",
            p(MailParams {
                body: Some(Body::EightBitMime),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> body=7bit",
            p(MailParams {
                body: Some(Body::SevenBit),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> BODY=BINARYMIME",
            p(MailParams {
                body: Some(Body::BinaryMime),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> SMTPUTF8",
            p(MailParams {
                smtputf8: true,
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> RET=HDRS",
            p(MailParams {
                ret: Some(Ret::Hdrs),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> ret=full",
            p(MailParams {
                ret: Some(Ret::Full),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> ENVID=QQ314159+2B1",
            p(MailParams {
                envid: Some("QQ314159+1".into()),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> AUTH=<>",
            p(MailParams {
                auth: Some("<>".into()),
                ..d()
            }),
        ),
        (
            "MAIL FROM:<a@example.com> AUTH=e+2Bf@example.com",
            p(MailParams {
                auth: Some("e+f@example.com".into()),
                ..d()
            }),
        ),
        (
            "MAIL FROM:a@example.com   SIZE=5\tBODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x AUTH=<> ",
            p(MailParams {
                size: Some(5),
                body: Some(Body::EightBitMime),
                smtputf8: true,
                ret: Some(Ret::Full),
                envid: Some("x".into()),
                auth: Some("<>".into()),
            }),
        ),
        (
            "MAIL FROM:<> SIZE=10",
            Command::Mail {
                from: Path::Null,
                params: MailParams {
                    size: Some(10),
                    ..d()
                },
            },
        ),
    ];
    for (line, want) in cases {
        assert_eq!(parse(line), Ok(want), "{line:?}");
    }
}

#[test]
fn parses_rcpt_parameters_table() {
    let to = mbox("b@example.com");
    let p = |params: RcptParams| Command::Rcpt {
        to: to.clone(),
        params,
    };
    let n = |never, success, failure, delay| {
        Some(Notify {
            never,
            success,
            failure,
            delay,
        })
    };
    let cases: Vec<(&str, Command)> = vec![
        (
            "RCPT TO:<b@example.com> NOTIFY=NEVER",
            p(RcptParams {
                notify: n(true, false, false, false),
                orcpt: None,
            }),
        ),
        (
            "RCPT TO:<b@example.com> notify=success,Failure,DELAY",
            p(RcptParams {
                notify: n(false, true, true, true),
                orcpt: None,
            }),
        ),
        (
            "RCPT TO:<b@example.com> NOTIFY=DELAY",
            p(RcptParams {
                notify: n(false, false, false, true),
                orcpt: None,
            }),
        ),
        (
            "RCPT TO:<b@example.com> ORCPT=rfc822;b+2Bx@example.com",
            p(RcptParams {
                notify: None,
                orcpt: Some("rfc822;b+x@example.com".into()),
            }),
        ),
        (
            "RCPT TO:<b@example.com> ORCPT=rfc822;b@example.com NOTIFY=FAILURE",
            p(RcptParams {
                notify: n(false, false, true, false),
                orcpt: Some("rfc822;b@example.com".into()),
            }),
        ),
    ];
    for (line, want) in cases {
        assert_eq!(parse(line), Ok(want), "{line:?}");
    }
}

#[test]
fn rejects_bad_parameters_table() {
    use CommandError as E;
    let syntax = |e: &Result<Command, E>| matches!(e, Err(E::Syntax(_)));
    let cases: &[(&str, Check)] = &[
        ("MAIL FROM:<a@b.c> SIZE", syntax),
        ("MAIL FROM:<a@b.c> SIZE=", syntax),
        ("MAIL FROM:<a@b.c> SIZE=-1", syntax),
        ("MAIL FROM:<a@b.c> SIZE=+1", syntax),
        ("MAIL FROM:<a@b.c> SIZE=1k", syntax),
        ("MAIL FROM:<a@b.c> SIZE=18446744073709551616", syntax),
        ("MAIL FROM:<a@b.c> SIZE=1 SIZE=1", syntax),
        ("MAIL FROM:<a@b.c> size=1 SIZE=2", syntax),
        ("MAIL FROM:<a@b.c> BODY=9BIT", syntax),
        ("MAIL FROM:<a@b.c> SMTPUTF8=yes", syntax),
        ("MAIL FROM:<a@b.c> SMTPUTF8 smtputf8", syntax),
        ("MAIL FROM:<a@b.c> RET=ALL", syntax),
        ("MAIL FROM:<a@b.c> ENVID=a+2", syntax),
        ("MAIL FROM:<a@b.c> ENVID=a+0D+0Ab", syntax),
        ("MAIL FROM:<a@b.c> AUTH=a+00", syntax),
        ("MAIL FROM:<a@b.c> SIZE=1=2", syntax),
        ("MAIL FROM:<a@b.c> =1", syntax),
        ("MAIL FROM:<a@b.c> -X=1", syntax),
        ("MAIL FROM:<a@b.c> S_ZE=1", syntax),
        ("RCPT TO:<a@b.c> NOTIFY=NEVER,SUCCESS", syntax),
        ("RCPT TO:<a@b.c> NOTIFY=", syntax),
        ("RCPT TO:<a@b.c> NOTIFY=SUCCESS,,DELAY", syntax),
        ("RCPT TO:<a@b.c> NOTIFY=SUCCESS,SUCCESS", syntax),
        ("RCPT TO:<a@b.c> NOTIFY=SOMETIMES", syntax),
        ("RCPT TO:<a@b.c> NOTIFY=NEVER NOTIFY=NEVER", syntax),
        ("RCPT TO:<a@b.c> ORCPT=b@example.com", syntax),
        ("RCPT TO:<a@b.c> ORCPT=;b@example.com", syntax),
        ("RCPT TO:<a@b.c> ORCPT=rfc822;b+zz", syntax),
        // Parameters are per command (§4.1.2): unknown keywords carry their name.
        ("MAIL FROM:<a@b.c> NOTIFY=NEVER", |e| {
            e == &Err(E::UnknownParameter("NOTIFY".into()))
        }),
        ("RCPT TO:<a@b.c> SIZE=1", |e| {
            e == &Err(E::UnknownParameter("SIZE".into()))
        }),
        ("MAIL FROM:<a@b.c> X-Frob=1", |e| {
            e == &Err(E::UnknownParameter("X-Frob".into()))
        }),
        ("MAIL FROM:<a@b.c> HOLDFOR", |e| {
            e == &Err(E::UnknownParameter("HOLDFOR".into()))
        }),
    ];
    for (line, check) in cases {
        let got = parse(line);
        assert!(check(&got), "{line:?} gave {got:?}");
    }
}

// ---- Properties ----

/// A verb in random case.
fn any_case(word: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars()
            .zip(upper)
            .map(|(c, u)| {
                if u {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}",
        "[a-z\u{e0}-\u{ff}\u{4e00}-\u{4e10}]{1,4}"
    ]
}

fn local_part() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(atom(), 1..4).prop_map(|a| a.join(".")),
        "[ !#-\\[\\]-~]{0,8}".prop_map(|q| format!("\"{q}\"")),
        "[a-z]{0,3}[\"\\\\][a-z]{0,3}"
            .prop_map(|q| format!("\"{}\"", q.replace('\\', "\\\\").replace('"', "\\\""))),
    ]
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec("[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?", 1..4).prop_map(|l| l.join(".")),
        any::<[u8; 4]>().prop_map(|o| format!("[{}.{}.{}.{}]", o[0], o[1], o[2], o[3])),
        any::<[u16; 8]>().prop_map(|s| format!("[IPv6:{}]", std::net::Ipv6Addr::from(s))),
        Just("b\u{fc}cher.example".to_string()),
    ]
}

fn mailbox() -> impl Strategy<Value = String> {
    (local_part(), domain()).prop_map(|(l, d)| format!("{l}@{d}"))
}

fn xtext_value() -> impl Strategy<Value = String> {
    "[ -~]{1,12}".prop_map(|s| {
        s.bytes()
            .map(|b| match b {
                b'+' | b'=' | b' ' => format!("+{b:02X}"),
                _ => (b as char).to_string(),
            })
            .collect()
    })
}

/// A MAIL line built from parts, with the command it must parse to.
fn mail_line() -> impl Strategy<Value = (String, Command)> {
    (
        any_case("MAIL"),
        any_case("FROM:"),
        prop_oneof![Just(""), Just(" ")],
        prop::option::of(mailbox()),
        prop::option::of(any::<u64>()),
        prop::option::of(prop::sample::select(vec![
            ("7BIT", Body::SevenBit),
            ("8bitmime", Body::EightBitMime),
        ])),
        any::<bool>(),
        prop::option::of(xtext_value()),
    )
        .prop_map(|(verb, from_kw, space, addr, size, body, utf8, envid)| {
            let mut line = format!(
                "{verb} {from_kw}{space}<{}>",
                addr.clone().unwrap_or_default()
            );
            let mut params = MailParams::default();
            if let Some(size) = size {
                line += &format!(" SIZE={size}");
                params.size = Some(size);
            }
            if let Some((word, body)) = body {
                line += &format!(" BODY={word}");
                params.body = Some(body);
            }
            if utf8 {
                line += " smtputf8";
                params.smtputf8 = true;
            }
            if let Some(envid) = envid {
                params.envid = xtext_decode(&envid);
                line += &format!(" ENVID={envid}");
            }
            let from = addr.map_or(Path::Null, Path::Mailbox);
            (line, Command::Mail { from, params })
        })
}

/// Lines shaped like SMTP but assembled from risky pieces, valid or not.
fn grammar_line() -> impl Strategy<Value = Vec<u8>> {
    let verb = prop::sample::select(vec![
        "HELO",
        "EHLO",
        "MAIL FROM:",
        "RCPT TO:",
        "DATA",
        "BDAT",
        "RSET",
        "NOOP",
        "QUIT",
        "VRFY",
        "EXPN",
        "HELP",
        "STARTTLS",
        "AUTH",
        "mail from: ",
        "rcpt to:",
        "XYZ",
    ]);
    let piece = prop::sample::select(vec![
        &b"<"[..],
        b">",
        b":",
        b"@",
        b",",
        b".",
        b"\"",
        b"\\",
        b"[",
        b"]",
        b"IPv6:",
        b"=",
        b";",
        b"+",
        b" ",
        b"\t",
        b"a",
        b"example.com",
        b"1",
        b"99999999999999999999",
        b"SIZE=",
        b"BODY=",
        b"SMTPUTF8",
        b"NOTIFY=",
        b"NEVER",
        b"SUCCESS,",
        b"ORCPT=rfc822;",
        b"ENVID=",
        b"AUTH=",
        b"LAST",
        b"postmaster",
        b"\0",
        b"\r",
        b"\xff",
        b"\xc3\xa9",
        b"\xe2\x80",
    ]);
    (verb, prop::collection::vec(piece, 0..16))
        .prop_map(|(v, p)| [v.as_bytes(), &p.concat()].concat())
}

proptest! {
    #[test]
    fn mail_lines_round_trip((line, want) in mail_line()) {
        prop_assert_eq!(parse(&line), Ok(want));
    }

    #[test]
    fn rcpt_mailboxes_round_trip(verb in any_case("RCPT"), to in any_case("TO:"), addr in mailbox()) {
        prop_assert_eq!(parse(&format!("{verb} {to}<{addr}>")), Ok(rcpt(Path::Mailbox(addr.clone()))));
        // A source route in front changes nothing.
        prop_assert_eq!(parse(&format!("{verb} {to}<@relay.example:{addr}>")), Ok(rcpt(Path::Mailbox(addr))));
    }

    #[test]
    fn bdat_sizes_round_trip(size in any::<u64>(), last in any::<bool>(), verb in any_case("BDAT")) {
        let line = format!("{verb} {size}{}", if last { " LAST" } else { "" });
        prop_assert_eq!(parse(&line), Ok(Command::Bdat { size, last }));
    }

    #[test]
    fn grammar_lines_never_panic_and_ignore_case_and_trailing_space(line in grammar_line()) {
        let got = parse_command(&line);
        // Trailing spaces are ignored, and the verb's case never matters (§2.4).
        let mut spaced = line.clone();
        spaced.extend_from_slice(b"  ");
        prop_assert_eq!(parse_command(&spaced), got.clone());
        let verb_len = line.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(line.len());
        let mut upper = line.clone();
        upper[..verb_len].make_ascii_uppercase();
        let mut lower = line.clone();
        lower[..verb_len].make_ascii_lowercase();
        prop_assert_eq!(parse_command(&upper), parse_command(&lower));
    }

    #[test]
    fn random_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_command(&line);
    }
}

#[test]
fn etrn_takes_exactly_one_node() {
    // RFC 1985 §3: a domain, `@domain` or `#queue`.
    assert_eq!(
        parse("ETRN example.com"),
        Ok(Command::Etrn("example.com".into()))
    );
    assert_eq!(
        parse("etrn @example.com"),
        Ok(Command::Etrn("@example.com".into()))
    );
    assert_eq!(parse("ETRN #queue1"), Ok(Command::Etrn("#queue1".into())));
    assert!(matches!(parse("ETRN"), Err(CommandError::Syntax(_))));
    assert!(matches!(
        parse("ETRN a.com b.com"),
        Err(CommandError::Syntax(_))
    ));
}
