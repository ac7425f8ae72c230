//! The lexical layer (RFC 9051 §4, §9): atoms, numbers, quoted strings, literals, astrings,
//! over one framed command.

use super::ParseError;

/// The deepest nesting of parentheses accepted (search keys, fetch sections).
pub const MAX_DEPTH: usize = 32;

/// RFC 9051 §9 `ATOM-CHAR`: any CHAR except atom-specials.
pub(crate) fn is_atom_char(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// RFC 9051 §9 `ASTRING-CHAR`: ATOM-CHAR or `]`.
pub(crate) fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// RFC 9051 §9 `tag`: ASTRING-CHAR except `+`.
pub(crate) fn is_tag_char(b: u8) -> bool {
    is_astring_char(b) && b != b'+'
}

/// A position in a framed command.
pub(crate) struct Cursor<'a> {
    pub input: &'a [u8],
    pub pos: usize,
    pub depth: usize,
    /// Search keys read so far (bounded by `search::MAX_SEARCH_KEYS`).
    pub keys: usize,
    /// The charset of search strings (SEARCH/SORT/THREAD's CHARSET); `None`: UTF-8.
    pub search_charset: Option<&'static encoding_rs::Encoding>,
    /// The CHARSET named is not one we decode: refused once the command has parsed.
    pub unknown_charset: bool,
}

type R<T> = Result<T, ParseError>;

pub(crate) fn syntax(why: &'static str) -> ParseError {
    ParseError::Syntax(why)
}

impl<'a> Cursor<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Cursor {
            input,
            pos: 0,
            depth: 0,
            keys: 0,
            search_charset: None,
            unknown_charset: false,
        }
    }

    pub fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    pub fn end(&self) -> R<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(syntax("unexpected characters at the end of the command"))
        }
    }

    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, b: u8, why: &'static str) -> R<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(syntax(why))
        }
    }

    pub fn sp(&mut self) -> R<()> {
        self.expect(b' ', "a space was expected")
    }

    /// Enters a parenthesised list, counting the depth (a limit before recursion).
    pub fn open(&mut self) -> R<()> {
        self.expect(b'(', "'(' was expected")?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        Ok(())
    }

    pub fn close(&mut self) -> R<()> {
        self.expect(b')', "')' was expected")?;
        self.depth -= 1;
        Ok(())
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
        &self.input[start..self.pos]
    }

    /// An atom, as text.
    pub fn atom(&mut self) -> R<&'a str> {
        let a = self.take_while(is_atom_char);
        if a.is_empty() {
            return Err(syntax("an atom was expected"));
        }
        std::str::from_utf8(a).map_err(|_| syntax("an atom was expected"))
    }

    /// An atom, uppercased (keywords).
    pub fn keyword(&mut self) -> R<String> {
        Ok(self.atom()?.to_ascii_uppercase())
    }

    /// Tries a keyword without consuming on mismatch (case-insensitive).
    pub fn eat_keyword(&mut self, kw: &str) -> bool {
        let end = self.pos + kw.len();
        if end <= self.input.len()
            && self.input[self.pos..end].eq_ignore_ascii_case(kw.as_bytes())
            && !self.input.get(end).copied().is_some_and(is_atom_char)
        {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// RFC 9051 §9 `number` (32 bits).
    pub fn number(&mut self) -> R<u32> {
        self.number64()?
            .try_into()
            .map_err(|_| syntax("a number is too large"))
    }

    pub fn number64(&mut self) -> R<u64> {
        let d = self.take_while(|b| b.is_ascii_digit());
        if d.is_empty() || d.len() > 19 {
            return Err(syntax("a number was expected"));
        }
        std::str::from_utf8(d)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(syntax("a number was expected"))
    }

    /// RFC 9051 §4.3 `quoted`: `\` escapes only `"` and `\`; no CR or LF.
    pub fn quoted(&mut self) -> R<Vec<u8>> {
        self.expect(b'"', "'\"' was expected")?;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\r' | b'\n') => return Err(syntax("unterminated quoted string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => out.push(c),
                        _ => return Err(syntax("bad escape in a quoted string")),
                    }
                    self.pos += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// A literal as framed by `CommandReader`: `{n}` or `{n+}` (or `~{n}`), CRLF, n octets.
    pub fn literal(&mut self) -> R<&'a [u8]> {
        self.eat(b'~');
        self.expect(b'{', "'{' was expected")?;
        let n = self.number64()?;
        self.eat(b'+');
        self.expect(b'}', "'}' was expected")?;
        self.eat(b'\r');
        self.expect(b'\n', "a literal must end its line")?;
        let n = usize::try_from(n).map_err(|_| syntax("literal too large"))?;
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.input.len())
            .ok_or(syntax("truncated literal"))?;
        let data = &self.input[self.pos..end];
        self.pos = end;
        Ok(data)
    }

    /// Whether a string (quoted or literal) starts here. `~` starts a literal8 only before
    /// `{`: otherwise it is an ATOM-CHAR (RFC 3501 §9), as in `SELECT ~foo`.
    fn at_string(&self) -> bool {
        match self.peek() {
            Some(b'"' | b'{') => true,
            Some(b'~') => self.input.get(self.pos + 1) == Some(&b'{'),
            _ => false,
        }
    }

    /// RFC 9051 §9 `string`: quoted or literal.
    pub fn string(&mut self) -> R<Vec<u8>> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{' | b'~') if self.at_string() => Ok(self.literal()?.to_vec()),
            _ => Err(syntax("a string was expected")),
        }
    }

    /// RFC 9051 §9 `astring`: 1*ASTRING-CHAR or string.
    pub fn astring(&mut self) -> R<Vec<u8>> {
        if self.at_string() {
            return self.string();
        }
        let a = self.take_while(is_astring_char);
        if a.is_empty() {
            Err(syntax("a string was expected"))
        } else {
            Ok(a.to_vec())
        }
    }

    /// An astring that must be UTF-8.
    pub fn astring_utf8(&mut self) -> R<String> {
        String::from_utf8(self.astring()?).map_err(|_| syntax("a string is not UTF-8"))
    }

    /// RFC 9051 §9 `list-mailbox`: like astring, but `%` and `*` allowed unquoted.
    pub fn list_mailbox(&mut self) -> R<Vec<u8>> {
        if self.at_string() {
            return self.string();
        }
        let a = self.take_while(|b| is_astring_char(b) || b == b'%' || b == b'*');
        if a.is_empty() {
            Err(syntax("a mailbox pattern was expected"))
        } else {
            Ok(a.to_vec())
        }
    }

    /// RFC 9051 §9 `flag-list` (parenthesised) or a single flag.
    pub fn flag_list(&mut self) -> R<Vec<String>> {
        let mut flags = Vec::new();
        if self.peek() == Some(b'(') {
            self.open()?;
            while !self.eat(b')') {
                if !flags.is_empty() {
                    self.sp()?;
                }
                flags.push(self.flag()?);
            }
            self.depth -= 1;
        } else {
            flags.push(self.flag()?);
        }
        Ok(flags)
    }

    /// RFC 9051 §9 `flag`: `\Atom` or a keyword atom.
    pub fn flag(&mut self) -> R<String> {
        let backslash = self.eat(b'\\');
        let a = self.atom()?;
        Ok(if backslash {
            format!("\\{a}")
        } else {
            a.to_string()
        })
    }
}
