//! FETCH data items (RFC 9051 §6.4.5): macros, body sections and partials.

use super::ParseError;
use super::parse::{Cursor, syntax};

/// What a body section names (RFC 9051 §6.4.5 `section-spec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText {
    /// The whole part (`BODY[]`, `BODY[1]`).
    Full,
    Header,
    /// HEADER.FIELDS (names) / HEADER.FIELDS.NOT.
    HeaderFields {
        names: Vec<String>,
        not: bool,
    },
    Text,
    Mime,
}

/// `BODY[<part>.<text>]<<offset.length>>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The part path, e.g. `[1, 2]` for `1.2`; empty for the top level.
    pub part: Vec<u32>,
    pub text: SectionText,
    /// `<offset.length>` (RFC 9051 §6.4.5: the response is the substring).
    pub partial: Option<(u64, u64)>,
    /// BODY.PEEK: does not set `\Seen`.
    pub peek: bool,
    /// BINARY[] (RFC 3516): the content transfer decoding is undone.
    pub binary: bool,
}

/// One FETCH data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttr {
    Flags,
    Uid,
    InternalDate,
    Rfc822Size,
    Envelope,
    /// BODY without a section: BODYSTRUCTURE without extension data.
    Body,
    BodyStructure,
    Section(Section),
    /// RFC822 (= BODY[]), RFC822.HEADER (= BODY.PEEK[HEADER]), RFC822.TEXT (= BODY[TEXT]),
    /// answered under their own names.
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    /// BINARY.SIZE[part] (RFC 3516).
    BinarySize(Vec<u32>),
    /// MODSEQ (RFC 7162 §3.1.4.1).
    ModSeq,
}

impl FetchAttr {
    /// Whether this item sets `\Seen` (RFC 9051 §6.4.5: BODY[...] and RFC822/RFC822.TEXT do).
    pub fn sets_seen(&self) -> bool {
        match self {
            FetchAttr::Section(s) => !s.peek,
            FetchAttr::Rfc822 | FetchAttr::Rfc822Text => true,
            _ => false,
        }
    }
}

impl Cursor<'_> {
    /// `ALL` / `FAST` / `FULL`, one item, or a parenthesised list (RFC 9051 §6.4.5).
    pub(crate) fn fetch_attrs(&mut self) -> Result<Vec<FetchAttr>, ParseError> {
        use FetchAttr::*;
        if self.peek() == Some(b'(') {
            self.open()?;
            let mut attrs = Vec::new();
            loop {
                attrs.push(self.fetch_attr()?);
                if self.eat(b')') {
                    self.depth -= 1;
                    return Ok(attrs);
                }
                self.sp()?;
            }
        }
        if self.eat_keyword("ALL") {
            return Ok(vec![Flags, InternalDate, Rfc822Size, Envelope]);
        }
        if self.eat_keyword("FAST") {
            return Ok(vec![Flags, InternalDate, Rfc822Size]);
        }
        if self.eat_keyword("FULL") {
            return Ok(vec![Flags, InternalDate, Rfc822Size, Envelope, Body]);
        }
        Ok(vec![self.fetch_attr()?])
    }

    fn fetch_attr(&mut self) -> Result<FetchAttr, ParseError> {
        let start = self.pos;
        // The name runs up to '[' , ' ' or ')'.
        while self
            .peek()
            .is_some_and(|b| b != b'[' && b != b' ' && b != b')' && b != b'(')
        {
            self.pos += 1;
        }
        let name = std::str::from_utf8(&self.input[start..self.pos])
            .map_err(|_| syntax("unknown fetch item"))?
            .to_ascii_uppercase();
        let has_section = self.peek() == Some(b'[');
        Ok(match (name.as_str(), has_section) {
            ("FLAGS", false) => FetchAttr::Flags,
            ("UID", false) => FetchAttr::Uid,
            ("INTERNALDATE", false) => FetchAttr::InternalDate,
            ("RFC822.SIZE", false) => FetchAttr::Rfc822Size,
            ("ENVELOPE", false) => FetchAttr::Envelope,
            ("BODY", false) => FetchAttr::Body,
            ("BODYSTRUCTURE", false) => FetchAttr::BodyStructure,
            ("RFC822", false) => FetchAttr::Rfc822,
            ("RFC822.HEADER", false) => FetchAttr::Rfc822Header,
            ("RFC822.TEXT", false) => FetchAttr::Rfc822Text,
            ("MODSEQ", false) => FetchAttr::ModSeq,
            ("BODY" | "BODY.PEEK" | "BINARY" | "BINARY.PEEK", true) => {
                let binary = name.starts_with("BINARY");
                let mut section = self.section(binary)?;
                section.peek = name.ends_with(".PEEK");
                section.binary = binary;
                FetchAttr::Section(section)
            }
            ("BINARY.SIZE", true) => {
                let s = self.section(true)?;
                FetchAttr::BinarySize(s.part)
            }
            _ => return Err(syntax("unknown fetch item")),
        })
    }

    /// `[section]` and an optional `<offset.length>`.
    fn section(&mut self, binary: bool) -> Result<Section, ParseError> {
        self.expect(b'[', "'[' was expected")?;
        let mut part = Vec::new();
        let mut text = SectionText::Full;
        while !self.eat(b']') {
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                let n = self.number()?;
                if n == 0 || part.len() >= 32 {
                    return Err(syntax("bad section part"));
                }
                part.push(n);
                if self.eat(b'.') {
                    continue;
                }
                self.expect(b']', "']' was expected")?;
                break;
            }
            let kw = self.keyword()?;
            text = match kw.as_str() {
                "HEADER" => SectionText::Header,
                "TEXT" => SectionText::Text,
                "MIME" if !part.is_empty() => SectionText::Mime,
                "HEADER.FIELDS" | "HEADER.FIELDS.NOT" => {
                    self.sp()?;
                    self.open()?;
                    let mut names = Vec::new();
                    loop {
                        names.push(self.astring_utf8()?);
                        if self.eat(b')') {
                            self.depth -= 1;
                            break;
                        }
                        self.sp()?;
                    }
                    SectionText::HeaderFields {
                        names,
                        not: kw.ends_with(".NOT"),
                    }
                }
                _ => return Err(syntax("bad section")),
            };
            if binary {
                // RFC 3516 §4.2: BINARY takes only part numbers.
                return Err(syntax("BINARY takes a part number only"));
            }
            self.expect(b']', "']' was expected")?;
            break;
        }
        let partial = if self.eat(b'<') {
            let offset = self.number64()?;
            self.expect(b'.', "'.' was expected")?;
            let length = self.number64()?;
            if length == 0 {
                return Err(syntax("a partial length must not be 0"));
            }
            self.expect(b'>', "'>' was expected")?;
            Some((offset, length))
        } else {
            None
        };
        Ok(Section {
            part,
            text,
            partial,
            peek: false,
            binary,
        })
    }
}
