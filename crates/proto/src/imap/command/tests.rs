use proptest::prelude::*;

use super::*;
use crate::imap::fetch::{Section, SectionText};
use crate::imap::list::ListOptions;
use crate::imap::sequence::SeqNum;
use crate::imap::{CommandReader, Frame, Limits};

fn ok(input: &str) -> Command {
    match parse_command(input.as_bytes()) {
        Ok(r) => r.command,
        Err(e) => panic!("{input}: {e:?}"),
    }
}

fn set(ranges: &[(u32, u32)]) -> SequenceSet {
    SequenceSet {
        ranges: ranges
            .iter()
            .map(|&(a, b)| {
                let n = |v| {
                    if v == u32::MAX {
                        SeqNum::Last
                    } else {
                        SeqNum::Value(v)
                    }
                };
                (n(a), n(b))
            })
            .collect(),
        saved: false,
    }
}

#[test]
fn commands_parse() {
    let cases: Vec<(&str, Command)> = vec![
        ("a CAPABILITY", Command::Capability),
        ("a noop", Command::Noop),
        (
            "a LOGIN alice@example.test \"p a\\\"ss\"",
            Command::Login {
                user: "alice@example.test".into(),
                password: "p a\"ss".into(),
            },
        ),
        (
            "a LOGIN {5}\r\nalice {3+}\r\npw!",
            Command::Login {
                user: "alice".into(),
                password: "pw!".into(),
            },
        ),
        (
            "a AUTHENTICATE PLAIN AGFsaWNlAHB3",
            Command::Authenticate {
                mechanism: "PLAIN".into(),
                initial: Some("AGFsaWNlAHB3".into()),
            },
        ),
        (
            "a SELECT INBOX (CONDSTORE)",
            Command::Select(SelectArgs {
                mailbox: b"INBOX".to_vec(),
                condstore: true,
                qresync: None,
            }),
        ),
        (
            "a LIST \"\" *",
            Command::List {
                reference: vec![],
                patterns: vec![b"*".to_vec()],
                options: ListOptions::default(),
            },
        ),
        (
            "a LIST \"\" \"%\" RETURN (SPECIAL-USE STATUS (MESSAGES))",
            Command::List {
                reference: vec![],
                patterns: vec![b"%".to_vec()],
                options: ListOptions {
                    return_special_use: true,
                    status: Some(vec![StatusItem::Messages]),
                    extended: true,
                    ..ListOptions::default()
                },
            },
        ),
        (
            "a STATUS Sent (MESSAGES UIDNEXT UNSEEN SIZE)",
            Command::Status {
                mailbox: b"Sent".to_vec(),
                items: vec![
                    StatusItem::Messages,
                    StatusItem::UidNext,
                    StatusItem::Unseen,
                    StatusItem::Size,
                ],
            },
        ),
        (
            "a APPEND Drafts (\\Draft \\Seen) \"05-Feb-2024 10:00:00 +0100\" {3}\r\nabc",
            Command::Append {
                mailbox: b"Drafts".to_vec(),
                flags: vec!["\\Draft".into(), "\\Seen".into()],
                date: Some(1_707_123_600),
                message: b"abc".to_vec(),
            },
        ),
        (
            "a UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)]<0.100>)",
            Command::Fetch {
                uid: true,
                set: set(&[(1, u32::MAX)]),
                attrs: vec![
                    FetchAttr::Flags,
                    FetchAttr::Section(Section {
                        part: vec![],
                        text: SectionText::HeaderFields {
                            names: vec!["From".into(), "Subject".into()],
                            not: false,
                        },
                        partial: Some((0, 100)),
                        peek: true,
                        binary: false,
                    }),
                ],
                changed_since: None,
                vanished: false,
            },
        ),
        (
            "a FETCH 2,4:5 FAST",
            Command::Fetch {
                uid: false,
                set: set(&[(2, 2), (4, 5)]),
                attrs: vec![
                    FetchAttr::Flags,
                    FetchAttr::InternalDate,
                    FetchAttr::Rfc822Size,
                ],
                changed_since: None,
                vanished: false,
            },
        ),
        (
            "a FETCH 1 BODY[1.2.MIME]",
            Command::Fetch {
                uid: false,
                set: set(&[(1, 1)]),
                attrs: vec![FetchAttr::Section(Section {
                    part: vec![1, 2],
                    text: SectionText::Mime,
                    partial: None,
                    peek: false,
                    binary: false,
                })],
                changed_since: None,
                vanished: false,
            },
        ),
        (
            "a STORE 1:3 +FLAGS.SILENT (\\Deleted)",
            Command::Store(StoreArgs {
                uid: false,
                set: set(&[(1, 3)]),
                op: StoreOp::Add,
                silent: true,
                flags: vec!["\\Deleted".into()],
                unchanged_since: None,
            }),
        ),
        (
            "a UID MOVE 4:7 Trash",
            Command::Move(CopyArgs {
                uid: true,
                set: set(&[(4, 7)]),
                mailbox: b"Trash".to_vec(),
            }),
        ),
        ("a UID EXPUNGE 3", Command::Expunge(Some(set(&[(3, 3)])))),
        (
            "a SEARCH CHARSET UTF-8 SUBJECT {6}\r\n中文",
            Command::Search(SearchArgs {
                uid: false,
                ret: None,
                charset: Some("UTF-8".into()),
                key: SearchKey::Header {
                    name: "subject".into(),
                    value: "中文".into(),
                },
            }),
        ),
        (
            "a UID SEARCH RETURN (MIN COUNT) OR SEEN NOT (FLAGGED LARGER 10) SINCE 1-Feb-2024",
            Command::Search(SearchArgs {
                uid: true,
                ret: Some(vec![SearchReturn::Min, SearchReturn::Count]),
                charset: None,
                key: SearchKey::And(vec![
                    SearchKey::Or(
                        Box::new(SearchKey::Flag {
                            flag: "\\Seen".into(),
                            set: true,
                        }),
                        Box::new(SearchKey::Not(Box::new(SearchKey::And(vec![
                            SearchKey::Flag {
                                flag: "\\Flagged".into(),
                                set: true,
                            },
                            SearchKey::Larger(10),
                        ])))),
                    ),
                    SearchKey::Since(19_754),
                ]),
            }),
        ),
        (
            "a ID (\"name\" \"Thunderbird\" \"version\" NIL)",
            Command::Id(vec![
                ("name".into(), Some("Thunderbird".into())),
                ("version".into(), None),
            ]),
        ),
        (
            "a ENABLE UTF8=ACCEPT IMAP4rev2",
            Command::Enable(vec!["UTF8=ACCEPT".into(), "IMAP4REV2".into()]),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(ok(input), want, "{input}");
    }
}

#[test]
fn malformed_commands_are_refused_with_their_tag() {
    use ParseError::{Syntax, Unknown};
    // The tag the refusal carries: none before one was read, else `a`.
    const A: Option<&str> = Some("a");
    let cases: &[(&[u8], Option<&str>, ParseError)] = &[
        (b"", None, Syntax("a command starts with a tag")),
        (b"a", A, Syntax("a space was expected")),
        (b"a FROB", A, Unknown),
        (b"a UID FROB 1", A, Unknown),
        (
            b"a FETCH 0 FLAGS",
            A,
            Syntax("0 is not a valid message number"),
        ),
        (b"a FETCH 1 FOO", A, Syntax("unknown fetch item")),
        (b"a LOGIN \"x", A, Syntax("unterminated quoted string")),
        (
            b"a NOOP extra",
            A,
            Syntax("unexpected characters at the end of the command"),
        ),
        (b"a LOGIN {9}\r\nab", A, Syntax("truncated literal")),
        (
            b"a SEARCH SUBJECT \"\xff",
            A,
            Syntax("unterminated quoted string"),
        ),
        (
            b"a FETCH 1 BODY[]<5.0>",
            A,
            Syntax("a partial length must not be 0"),
        ),
    ];
    for (input, tag, want) in cases {
        let got = parse_command(input).err();
        assert_eq!(
            got,
            Some((tag.map(str::to_string), want.clone())),
            "{}",
            input.escape_ascii()
        );
    }
}

#[test]
fn deep_nesting_is_refused_before_it_recurses_far() {
    let deep = format!("a SEARCH {}ALL{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(
        parse_command(deep.as_bytes()).err(),
        Some((Some("a".into()), ParseError::TooDeep))
    );
    let nots = format!("a SEARCH {}ALL", "NOT ".repeat(10_000));
    assert_eq!(
        parse_command(nots.as_bytes()).err(),
        Some((Some("a".into()), ParseError::TooDeep))
    );
}

#[test]
fn sequence_sets_resolve_star_and_reversed_ranges() {
    let Command::Fetch { set, .. } = ok("a FETCH 5:3,9:*,12 FLAGS") else {
        panic!("not a fetch");
    };
    let got: Vec<u32> = (1..=12).filter(|&n| set.contains(n, 10)).collect();
    assert_eq!(got, vec![3, 4, 5, 9, 10, 12]);
    assert_eq!(SequenceSet::format(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
}

proptest! {
    /// Arbitrary input never panics, and framing it whole or in two pieces gives the same
    /// commands.
    #[test]
    fn arbitrary_input_never_panics_and_splits_agree(
        input in proptest::collection::vec(any::<u8>(), 0..300),
        cut in 0usize..300,
    ) {
        let frames = |pieces: &[&[u8]]| {
            let mut r = CommandReader::new(Limits { line: 128, literal: 64, command: 256 });
            let mut out = Vec::new();
            for piece in pieces {
                let mut pos = 0;
                while pos < piece.len() {
                    let (n, f) = r.next(&piece[pos..]);
                    pos += n;
                    if let Frame::Command(c) = &f {
                        let _ = parse_command(c);
                    }
                    if f != Frame::Incomplete {
                        out.push(f);
                    }
                    if n == 0 { break; }
                }
            }
            out
        };
        let cut = cut.min(input.len());
        prop_assert_eq!(frames(&[&input]), frames(&[&input[..cut], &input[cut..]]));
    }

    /// A quoted astring survives the round trip through the response writer's quoting.
    #[test]
    fn quoted_strings_round_trip(s in "[ -~]{0,40}") {
        let quoted = crate::imap::response::quote(&s);
        let line = format!("a LOGIN {quoted} x");
        let Ok(Request { command: Command::Login { user, .. }, .. }) = parse_command(line.as_bytes()) else {
            return Err(TestCaseError::fail(line));
        };
        prop_assert_eq!(user, s);
    }
}
