//! SEARCH keys (RFC 9051 §6.4.4): flags, sets, sizes, dates, text, NOT/OR/parentheses.

use super::date::parse_date;
use super::parse::{Cursor, syntax};
use super::sequence::SequenceSet;
use super::{ParseError, charset};

/// One search key; a list of keys is their AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKey {
    All,
    /// A message has (or, with `false`, lacks) this flag: SEEN / UNSEEN, KEYWORD / UNKEYWORD…
    Flag {
        flag: String,
        set: bool,
    },
    /// RFC 3501 RECENT/OLD (NEW is RECENT UNSEEN): the session's \Recent (RFC 9051 dropped
    /// it; IMAP4rev2 sessions see no message as recent).
    Recent(bool),
    Sequence(SequenceSet),
    Uid(SequenceSet),
    Larger(u64),
    Smaller(u64),
    /// Internal date, as a day number (UTC): BEFORE / ON / SINCE.
    Before(i64),
    On(i64),
    Since(i64),
    /// Date: header, day number: SENTBEFORE / SENTON / SENTSINCE.
    SentBefore(i64),
    SentOn(i64),
    SentSince(i64),
    /// A substring of a header field (FROM, TO, CC, BCC, SUBJECT, HEADER name), decoded,
    /// case-insensitive. An empty `value` matches every message that has the field.
    Header {
        name: String,
        value: String,
    },
    /// A substring of the decoded body.
    Body(String),
    /// A substring of the headers or the body.
    Text(String),
    /// MODSEQ n (RFC 7162 §3.1.5).
    ModSeq(u64),
    Not(Box<SearchKey>),
    Or(Box<SearchKey>, Box<SearchKey>),
    And(Vec<SearchKey>),
}

/// The most search keys one command may hold, parenthesised lists, NOT and OR counted.
pub const MAX_SEARCH_KEYS: usize = 256;

impl Cursor<'_> {
    /// `search-key *(SP search-key)` to the end of the command.
    pub(crate) fn search_keys(&mut self) -> Result<SearchKey, ParseError> {
        let mut keys = vec![self.search_key()?];
        while self.eat(b' ') {
            keys.push(self.search_key()?);
        }
        Ok(if keys.len() == 1 {
            keys.remove(0)
        } else {
            SearchKey::And(keys)
        })
    }

    fn search_key(&mut self) -> Result<SearchKey, ParseError> {
        use SearchKey::*;
        // Every key costs a test per message (a text key a scan of its text): bounded, as
        // the depth is, so that one command's work is bounded too.
        self.keys += 1;
        if self.keys > MAX_SEARCH_KEYS {
            return Err(syntax("more than 256 search keys"));
        }
        if self.peek() == Some(b'(') {
            self.open()?;
            let mut keys = vec![self.search_key()?];
            while self.eat(b' ') {
                keys.push(self.search_key()?);
            }
            self.close()?;
            return Ok(if keys.len() == 1 {
                keys.remove(0)
            } else {
                And(keys)
            });
        }
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_digit() || b == b'*' || b == b'$')
        {
            return Ok(Sequence(self.sequence_set()?));
        }
        let kw = self.keyword()?;
        let flag = |name: &str, set: bool| Flag {
            flag: name.to_string(),
            set,
        };
        Ok(match kw.as_str() {
            "ALL" => All,
            "ANSWERED" => flag("\\Answered", true),
            "UNANSWERED" => flag("\\Answered", false),
            "DELETED" => flag("\\Deleted", true),
            "UNDELETED" => flag("\\Deleted", false),
            "DRAFT" => flag("\\Draft", true),
            "UNDRAFT" => flag("\\Draft", false),
            "FLAGGED" => flag("\\Flagged", true),
            "UNFLAGGED" => flag("\\Flagged", false),
            "SEEN" => flag("\\Seen", true),
            "UNSEEN" => flag("\\Seen", false),
            "RECENT" => Recent(true),
            // RFC 3501 §6.4.4: NEW is RECENT UNSEEN.
            "NEW" => And(vec![Recent(true), flag("\\Seen", false)]),
            "OLD" => Recent(false),
            "KEYWORD" | "UNKEYWORD" => {
                self.sp()?;
                Flag {
                    flag: self.atom()?.to_string(),
                    set: kw == "KEYWORD",
                }
            }
            "UID" => {
                self.sp()?;
                Uid(self.sequence_set()?)
            }
            "LARGER" | "SMALLER" => {
                self.sp()?;
                let n = self.number64()?;
                if kw == "LARGER" {
                    Larger(n)
                } else {
                    Smaller(n)
                }
            }
            "BEFORE" | "ON" | "SINCE" | "SENTBEFORE" | "SENTON" | "SENTSINCE" => {
                self.sp()?;
                let text = self.astring_utf8()?;
                let day = parse_date(&text).ok_or(syntax("bad date"))?;
                match kw.as_str() {
                    "BEFORE" => Before(day),
                    "ON" => On(day),
                    "SINCE" => Since(day),
                    "SENTBEFORE" => SentBefore(day),
                    "SENTON" => SentOn(day),
                    _ => SentSince(day),
                }
            }
            "FROM" | "TO" | "CC" | "BCC" | "SUBJECT" => {
                self.sp()?;
                Header {
                    name: kw.to_ascii_lowercase(),
                    value: self.search_text()?,
                }
            }
            "HEADER" => {
                self.sp()?;
                let name = self.astring_utf8()?.to_ascii_lowercase();
                self.sp()?;
                Header {
                    name,
                    value: self.search_text()?,
                }
            }
            "BODY" => {
                self.sp()?;
                Body(self.search_text()?)
            }
            "TEXT" => {
                self.sp()?;
                Text(self.search_text()?)
            }
            "MODSEQ" => {
                self.sp()?;
                // RFC 7162 §3.1.5: an optional entry name and type come first.
                if self.peek() == Some(b'"') {
                    self.quoted()?;
                    self.sp()?;
                    self.atom()?;
                    self.sp()?;
                }
                ModSeq(self.number64()?)
            }
            "NOT" => {
                self.sp()?;
                self.nested(|c| c.search_key()).map(|k| Not(Box::new(k)))?
            }
            "OR" => {
                self.sp()?;
                let a = self.nested(|c| c.search_key())?;
                self.sp()?;
                let b = self.nested(|c| c.search_key())?;
                Or(Box::new(a), Box::new(b))
            }
            _ => return Err(syntax("unknown search key")),
        })
    }

    /// NOT and OR recurse without parentheses: they count towards the depth limit too.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.depth += 1;
        if self.depth > super::parse::MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// A search string, decoded from the CHARSET given (UTF-8 without one).
    fn search_text(&mut self) -> Result<String, ParseError> {
        let bytes = self.astring()?;
        if self.unknown_charset {
            // The command is refused once parsed; its strings are never read.
            return Ok(String::new());
        }
        match self.search_charset {
            Some(encoding) => charset::decode(encoding, &bytes).ok_or(ParseError::BadCharset),
            None => String::from_utf8(bytes).map_err(|_| ParseError::BadCharset),
        }
    }

    /// The charset name of SEARCH CHARSET, SORT and THREAD (upper-cased), which then decodes
    /// every search string of the command.
    pub(crate) fn search_charset_name(&mut self) -> Result<String, ParseError> {
        let name = self.astring_utf8()?.to_ascii_uppercase();
        match charset::lookup(&name) {
            // UTF-8 stays on the plain path: same result, no copy.
            Some(encoding) => {
                self.search_charset = (encoding != encoding_rs::UTF_8).then_some(encoding)
            }
            None => self.unknown_charset = true,
        }
        Ok(name)
    }

    /// After the whole command parsed: RFC 9051 §6.4.4, a charset we cannot decode is
    /// [`ParseError::UnknownCharset`] (`NO [BADCHARSET]`); a syntax error comes first (BAD).
    pub(crate) fn known_charset<T>(&self, parsed: T) -> Result<T, ParseError> {
        if self.unknown_charset {
            return Err(ParseError::UnknownCharset);
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::SearchKey;
    use crate::imap::{Command, ParseError, SearchArgs, parse_command};

    fn parse(line: &[u8]) -> Result<Command, ParseError> {
        parse_command(line).map(|r| r.command).map_err(|(_, e)| e)
    }

    #[test]
    fn search_strings_are_decoded_from_the_charset() {
        // 请假 in GB2312, in a literal (RFC 9051 §4.3).
        let got = parse(b"a SEARCH CHARSET gb2312 SUBJECT {4}\r\n\xC7\xEB\xBC\xD9");
        let want = Command::Search(SearchArgs {
            uid: false,
            ret: None,
            charset: Some("GB2312".into()),
            key: SearchKey::Header {
                name: "subject".into(),
                value: "请假".into(),
            },
        });
        assert_eq!(got, Ok(want));
    }

    #[test]
    fn an_unknown_charset_is_refused_after_the_syntax_and_bad_text_is_bad() {
        // (command, error)
        let cases: [(&[u8], ParseError); 4] = [
            (b"a SEARCH CHARSET X-FOO ALL", ParseError::UnknownCharset),
            (
                b"a SEARCH CHARSET X-FOO TEXT \"\xff\"",
                ParseError::UnknownCharset,
            ),
            (b"a THREAD REFERENCES X-FOO ALL", ParseError::UnknownCharset),
            // A lone lead byte is not GBK.
            (
                b"a SEARCH CHARSET GBK TEXT {1}\r\n\xC7",
                ParseError::BadCharset,
            ),
        ];
        for (line, want) in cases {
            let got = parse(line).map(|_| ());
            assert_eq!(got, Err(want), "{}", String::from_utf8_lossy(line));
        }
        // No charset at all: "ALL" is read as one, then the keys are missing: BAD.
        let got = parse(b"a SORT (DATE) ALL");
        assert!(matches!(got, Err(ParseError::Syntax(_))), "{got:?}");
        // Not UTF-8 without a charset.
        assert_eq!(
            parse(b"a SEARCH TEXT \"\xC7\xEB\"").map(|_| ()),
            Err(ParseError::BadCharset)
        );
    }
}
