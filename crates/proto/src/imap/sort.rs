//! SORT and THREAD (RFC 5256 §3), with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT's RETURN
//! options (RFC 5267 §3).

use super::ParseError;
use super::command::Command;
use super::parse::{Cursor, syntax};

/// RFC 5256 §3 `sort-key`, and RFC 5957 §3's display keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

/// RFC 5256 §3 `sort-criterion = ["REVERSE" SP] sort-key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortCriterion {
    pub reverse: bool,
    pub key: SortKey,
}

/// RFC 5256 §3 `thread-alg`: the two algorithms of §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadAlgorithm {
    OrderedSubject,
    References,
}

impl Cursor<'_> {
    /// RFC 5256 §4: `SORT SP sort-criteria SP search-criteria`, ESORT's RETURN first
    /// (RFC 5267 §3).
    pub(crate) fn sort_command(&mut self, uid: bool) -> Result<Command, ParseError> {
        self.sp()?;
        let ret = if self.eat_keyword("RETURN") {
            self.sp()?;
            let options = self.search_return()?;
            self.sp()?;
            Some(options)
        } else {
            None
        };
        self.open()?;
        let mut criteria = Vec::new();
        loop {
            let reverse = self.eat_keyword("REVERSE");
            if reverse {
                self.sp()?;
            }
            let key = match self.keyword()?.as_str() {
                "ARRIVAL" => SortKey::Arrival,
                "CC" => SortKey::Cc,
                "DATE" => SortKey::Date,
                "FROM" => SortKey::From,
                "SIZE" => SortKey::Size,
                "SUBJECT" => SortKey::Subject,
                "TO" => SortKey::To,
                "DISPLAYFROM" => SortKey::DisplayFrom,
                "DISPLAYTO" => SortKey::DisplayTo,
                _ => return Err(syntax("unknown sort key")),
            };
            criteria.push(SortCriterion { reverse, key });
            if self.eat(b')') {
                self.depth -= 1;
                break;
            }
            self.sp()?;
        }
        self.sp()?;
        let charset = self.charset()?;
        self.sp()?;
        let key = self.search_keys()?;
        self.known_charset(Command::Sort {
            uid,
            ret,
            criteria,
            charset,
            key,
        })
    }

    /// RFC 5256 §4: `THREAD SP thread-alg SP search-criteria`.
    pub(crate) fn thread_command(&mut self, uid: bool) -> Result<Command, ParseError> {
        self.sp()?;
        let algorithm = match self.keyword()?.as_str() {
            "ORDEREDSUBJECT" => ThreadAlgorithm::OrderedSubject,
            "REFERENCES" => ThreadAlgorithm::References,
            _ => return Err(syntax("unknown threading algorithm")),
        };
        self.sp()?;
        let charset = self.charset()?;
        self.sp()?;
        let key = self.search_keys()?;
        self.known_charset(Command::Thread {
            uid,
            algorithm,
            charset,
            key,
        })
    }

    /// RFC 5256 §4 `search-criteria = charset 1*(SP search-key)`: the charset is required.
    fn charset(&mut self) -> Result<String, ParseError> {
        self.search_charset_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::{SearchKey, SearchReturn, parse_command};

    #[test]
    fn sort_and_thread_parse() {
        let got = parse_command(b"a UID SORT (REVERSE DATE subject) UTF-8 ALL").map(|r| r.command);
        assert_eq!(
            got,
            Ok(Command::Sort {
                uid: true,
                ret: None,
                criteria: vec![
                    SortCriterion {
                        reverse: true,
                        key: SortKey::Date
                    },
                    SortCriterion {
                        reverse: false,
                        key: SortKey::Subject
                    },
                ],
                charset: "UTF-8".into(),
                key: SearchKey::All,
            })
        );
        let got =
            parse_command(b"a SORT RETURN (MIN COUNT) (SIZE) US-ASCII UNSEEN").map(|r| r.command);
        assert!(matches!(
            got,
            Ok(Command::Sort { ret: Some(r), .. }) if r == vec![SearchReturn::Min, SearchReturn::Count]
        ));
        let got = parse_command(b"a THREAD REFERENCES UTF-8 ALL").map(|r| r.command);
        assert_eq!(
            got,
            Ok(Command::Thread {
                uid: false,
                algorithm: ThreadAlgorithm::References,
                charset: "UTF-8".into(),
                key: SearchKey::All,
            })
        );
    }

    #[test]
    fn bad_sort_and_thread_are_refused() {
        // RFC 5256 §4: the charset is not optional.
        assert!(parse_command(b"a SORT (DATE) ALL").is_err());
        // An empty criteria list and unknown keys or algorithms are syntax errors.
        assert!(parse_command(b"a SORT () UTF-8 ALL").is_err());
        assert!(parse_command(b"a SORT (COLOUR) UTF-8 ALL").is_err());
        assert!(parse_command(b"a THREAD TANGLED UTF-8 ALL").is_err());
    }
}
