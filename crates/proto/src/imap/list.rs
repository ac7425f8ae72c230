//! LIST-EXTENDED (RFC 5258 §3): selection options, several patterns, return options, with
//! LIST-STATUS (RFC 5819) and SPECIAL-USE (RFC 6154 §5.1); CREATE-SPECIAL-USE's `USE`
//! parameter (RFC 6154 §3).

use super::ParseError;
use super::command::{Command, StatusItem};
use super::parse::{Cursor, syntax};

/// What a LIST asks for beyond RFC 3501's reference and pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Selection SUBSCRIBED (RFC 5258 §3.1): subscribed mailboxes only, with `\Subscribed`.
    pub subscribed: bool,
    /// Selection SPECIAL-USE (RFC 6154 §5.1): mailboxes with a special use only.
    pub special_use: bool,
    /// Selection RECURSIVEMATCH (RFC 5258 §3.1): a parent that matches is listed (with
    /// CHILDINFO) when one of its children meets the other selection options.
    pub recursive_match: bool,
    /// RETURN (SUBSCRIBED): `\Subscribed` on subscribed mailboxes.
    pub return_subscribed: bool,
    /// RETURN (CHILDREN) (RFC 5258 §4): `\HasChildren` / `\HasNoChildren`.
    pub return_children: bool,
    /// RETURN (SPECIAL-USE) (RFC 6154 §5.1).
    pub return_special_use: bool,
    /// RETURN (STATUS (...)) (RFC 5819 §2): a STATUS response after each selectable mailbox.
    pub status: Option<Vec<StatusItem>>,
    /// The command used the extended syntax: selection options, a pattern list or RETURN.
    pub extended: bool,
}

impl Cursor<'_> {
    /// RFC 5258 §3: `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]`.
    pub(crate) fn list_command(&mut self) -> Result<Command, ParseError> {
        let mut options = ListOptions::default();
        self.sp()?;
        if self.peek() == Some(b'(') {
            options.extended = true;
            self.option_list(|_, option| {
                match option {
                    "SUBSCRIBED" => options.subscribed = true,
                    "SPECIAL-USE" => options.special_use = true,
                    "RECURSIVEMATCH" => options.recursive_match = true,
                    // RFC 5258 §3.1: REMOTE asks for remote mailboxes too; there are none.
                    "REMOTE" => {}
                    // RFC 5258 §3: an unrecognised selection option is a BAD.
                    _ => return Err(syntax("unknown LIST selection option")),
                }
                Ok(())
            })?;
            // RFC 5258 §3.1: RECURSIVEMATCH alone (without another selection option that
            // it could apply to) is a BAD.
            if options.recursive_match && !options.subscribed && !options.special_use {
                return Err(syntax("RECURSIVEMATCH needs another selection option"));
            }
            self.sp()?;
        }
        let reference = self.astring()?;
        self.sp()?;
        let mut patterns = Vec::new();
        if self.peek() == Some(b'(') {
            options.extended = true;
            self.open()?;
            patterns.push(self.list_mailbox()?);
            while self.eat(b' ') {
                patterns.push(self.list_mailbox()?);
            }
            self.close()?;
        } else {
            patterns.push(self.list_mailbox()?);
        }
        if self.eat(b' ') {
            if !self.eat_keyword("RETURN") {
                return Err(syntax("RETURN was expected"));
            }
            options.extended = true;
            self.sp()?;
            self.option_list(|c, option| {
                match option {
                    "SUBSCRIBED" => options.return_subscribed = true,
                    "CHILDREN" => options.return_children = true,
                    "SPECIAL-USE" => options.return_special_use = true,
                    "STATUS" => {
                        c.sp()?;
                        options.status = Some(c.status_items()?);
                    }
                    // RFC 5258 §3.2: an unrecognised return option is a BAD.
                    _ => return Err(syntax("unknown LIST return option")),
                }
                Ok(())
            })?;
        }
        Ok(Command::List {
            reference,
            patterns,
            options,
        })
    }

    /// `"(" [option *(SP option)] ")"`: each option's keyword (uppercased) goes to `f`, which
    /// may read the option's parameters.
    fn option_list(
        &mut self,
        mut f: impl FnMut(&mut Self, &str) -> Result<(), ParseError>,
    ) -> Result<(), ParseError> {
        self.open()?;
        let mut first = true;
        while !self.eat(b')') {
            if !std::mem::take(&mut first) {
                self.sp()?;
            }
            let option = self.keyword()?;
            f(self, &option)?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// RFC 9051 §6.3.11: `(item *(SP item))`.
    pub(crate) fn status_items(&mut self) -> Result<Vec<StatusItem>, ParseError> {
        self.open()?;
        let mut items = Vec::new();
        loop {
            items.push(match self.keyword()?.as_str() {
                "MESSAGES" => StatusItem::Messages,
                "UIDNEXT" => StatusItem::UidNext,
                "UIDVALIDITY" => StatusItem::UidValidity,
                "UNSEEN" => StatusItem::Unseen,
                "DELETED" => StatusItem::Deleted,
                "SIZE" => StatusItem::Size,
                "RECENT" => StatusItem::Recent,
                "HIGHESTMODSEQ" => StatusItem::HighestModSeq,
                _ => return Err(syntax("unknown STATUS item")),
            });
            if self.eat(b')') {
                self.depth -= 1;
                return Ok(items);
            }
            self.sp()?;
        }
    }

    /// RFC 6154 §6: `create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"`, after
    /// the mailbox: ` (USE (\Archive))`. Returns the attributes as sent.
    pub(crate) fn create_params(&mut self) -> Result<Vec<String>, ParseError> {
        let mut uses = Vec::new();
        if !self.eat(b' ') {
            return Ok(uses);
        }
        self.open()?;
        loop {
            // RFC 4466 §2.2 create-params; USE is the one known here.
            if !self.eat_keyword("USE") {
                return Err(syntax("unknown CREATE parameter"));
            }
            self.sp()?;
            self.open()?;
            while !self.eat(b')') {
                if !uses.is_empty() {
                    self.sp()?;
                }
                if !self.eat(b'\\') {
                    return Err(syntax("a special-use attribute starts with \\"));
                }
                uses.push(format!("\\{}", self.atom()?));
            }
            self.depth -= 1;
            if self.eat(b')') {
                self.depth -= 1;
                return Ok(uses);
            }
            self.sp()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::parse_command;

    fn list(input: &str) -> Result<(Vec<Vec<u8>>, ListOptions), ParseError> {
        match parse_command(input.as_bytes()).map_err(|e| e.1)?.command {
            Command::List {
                patterns, options, ..
            } => Ok((patterns, options)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn list_extended_options_parse() {
        let (patterns, o) = list(
            "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Sent/%\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))",
        )
        .expect("parses");
        assert_eq!(patterns, vec![b"INBOX".to_vec(), b"Sent/%".to_vec()]);
        assert!(o.subscribed && o.recursive_match && o.return_children && o.extended);
        assert_eq!(
            o.status,
            Some(vec![StatusItem::Messages, StatusItem::Unseen])
        );
        let (_, o) = list("a LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE)").expect("parses");
        assert!(o.special_use && o.return_special_use && !o.subscribed);
        let (_, o) = list("a LIST () \"\" % RETURN ()").expect("parses");
        assert!(o.extended && o.status.is_none());
    }

    #[test]
    fn bad_list_options_are_refused() {
        // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option.
        assert!(list("a LIST (RECURSIVEMATCH) \"\" *").is_err());
        // RFC 5258 §3: unknown selection and return options are BAD.
        assert!(list("a LIST (FROB) \"\" *").is_err());
        assert!(list("a LIST \"\" * RETURN (FROB)").is_err());
        // STATUS needs its item list.
        assert!(list("a LIST \"\" * RETURN (STATUS)").is_err());
    }

    #[test]
    fn create_with_special_use_parses() {
        let got = parse_command(b"a CREATE Archive (USE (\\Archive))").map(|r| r.command);
        assert_eq!(
            got,
            Ok(Command::Create {
                mailbox: b"Archive".to_vec(),
                special_use: vec!["\\Archive".into()],
            })
        );
        let plain = parse_command(b"a CREATE Box").map(|r| r.command);
        assert_eq!(
            plain,
            Ok(Command::Create {
                mailbox: b"Box".to_vec(),
                special_use: vec![],
            })
        );
        // RFC 4466 §2.2: an unknown create parameter is refused.
        assert!(parse_command(b"a CREATE Box (FROB (x))").is_err());
    }
}
