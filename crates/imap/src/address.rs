//! RFC 5322 §3.4 address lists read as Dovecot 2.3's `message-address.c` reads them, for
//! ENVELOPE (`envelope.rs`): groups become a start `(NIL NIL "name" NIL)` and an end
//! `(NIL NIL NIL NIL)` (RFC 3501 §7.4.2); a display name is the phrase as written (quotes
//! and comments removed, encoded words kept); a comment after a bare address is its name; a
//! missing local part or domain is `MISSING_MAILBOX` / `MISSING_DOMAIN`, a broken angle
//! address's domain `SYNTAX_ERROR`; what follows a syntax error in the list is dropped.

/// One address of an address list; a group start has only `mailbox` (the group name), a
/// group end nothing (RFC 3501 §7.4.2).
#[derive(Default, Debug, PartialEq)]
pub(crate) struct Address {
    pub name: Option<Vec<u8>>,
    pub route: Option<Vec<u8>>,
    pub mailbox: Option<Vec<u8>>,
    pub domain: Option<Vec<u8>>,
}

/// The addresses of one field value.
pub(crate) fn parse_list(value: &[u8]) -> Vec<Address> {
    Parser::new(value).list()
}

/// RFC 5322 §3.2.3 atext, with 8-bit octets taken as text (UTF-8 and legacy charsets in
/// headers, RFC 6532), as Dovecot does.
fn atext(b: u8) -> bool {
    b >= 0x80 || b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// The address-list parser of Dovecot's `message-address.c`, over one field value. Its
/// functions return as Dovecot's do: `Some(true)` more input follows, `Some(false)` the
/// input ended, `None` a syntax error.
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    /// The text of the last comment skipped (RFC 5322 §3.4: `addr (Name)`).
    comment: Vec<u8>,
    addr: Address,
    out: Vec<Address>,
}

type Step = Option<bool>;

impl<'a> Parser<'a> {
    fn new(s: &'a [u8]) -> Parser<'a> {
        Parser {
            s,
            pos: 0,
            comment: Vec::new(),
            addr: Address::default(),
            out: Vec::new(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn more(&self) -> Step {
        Some(self.pos < self.s.len())
    }

    /// RFC 5322 §3.2.2 CFWS: white space and (nested) comments.
    fn skip(&mut self) -> Step {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'(' => self.comment()?,
                _ => break,
            }
        }
        self.more()
    }

    fn comment(&mut self) -> Option<()> {
        self.comment.clear();
        self.pos += 1;
        let mut depth = 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                b'\\' => {
                    let c = self.peek()?;
                    self.pos += 1;
                    self.comment.push(c);
                    continue;
                }
                b'\r' | b'\n' => continue,
                _ => {}
            }
            self.comment.push(b);
        }
        None
    }

    /// RFC 5322 §3.2.4 quoted-string, unquoted (folding removed).
    fn quoted(&mut self, v: &mut Vec<u8>) -> Step {
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'"' => return self.skip(),
                b'\\' => {
                    v.push(self.peek()?);
                    self.pos += 1;
                }
                b'\r' | b'\n' => {}
                _ => v.push(b),
            }
        }
        None
    }

    /// Atext and dots, then CFWS.
    fn atom_or_dot(&mut self, v: &mut Vec<u8>) -> Step {
        while let Some(b) = self.peek().filter(|&b| atext(b) || b == b'.') {
            v.push(b);
            self.pos += 1;
        }
        if self.pos >= self.s.len() {
            return Some(false);
        }
        self.skip()
    }

    /// RFC 5322 §3.2.5 phrase (and obs-phrase): words joined by one space.
    fn phrase(&mut self, v: &mut Vec<u8>) -> Step {
        match self.peek() {
            None => return Some(false),
            Some(b'.') => return None,
            _ => {}
        }
        loop {
            let more = if self.peek() == Some(b'"') {
                self.quoted(v)?
            } else {
                self.atom_or_dot(v)?
            };
            if !more {
                return Some(false);
            }
            match self.peek() {
                Some(b) if atext(b) || b == b'"' || b == b'.' => v.push(b' '),
                _ => return Some(true),
            }
        }
    }

    /// RFC 5322 §3.2.3 dot-atom (CFWS around dots allowed, as RFC 822 did).
    fn dot_atom(&mut self, v: &mut Vec<u8>) -> Step {
        if !self.peek().is_some_and(atext) {
            return None;
        }
        loop {
            while let Some(b) = self.peek().filter(|&b| atext(b)) {
                v.push(b);
                self.pos += 1;
            }
            if self.pos >= self.s.len() {
                return Some(false);
            }
            if !self.skip()? {
                return Some(false);
            }
            if self.peek() != Some(b'.') {
                return Some(true);
            }
            self.pos += 1;
            v.push(b'.');
            if !self.skip()? {
                return Some(false);
            }
        }
    }

    /// `"@" domain`: a dot-atom or a domain literal (brackets kept).
    fn domain(&mut self, v: &mut Vec<u8>) -> Step {
        self.pos += 1;
        if !self.skip()? {
            return None;
        }
        if self.peek() != Some(b'[') {
            return self.dot_atom(v);
        }
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b']' => {
                    v.extend_from_slice(&self.s[start..self.pos]);
                    return self.skip();
                }
                _ => {}
            }
        }
        None
    }

    fn local_part(&mut self) -> Step {
        let mut v = Vec::new();
        let r = if self.peek() == Some(b'"') {
            self.quoted(&mut v)
        } else {
            self.dot_atom(&mut v)
        };
        self.addr.mailbox = Some(v);
        r
    }

    fn parse_domain(&mut self) -> Step {
        let mut v = Vec::new();
        let r = self.domain(&mut v);
        self.addr.domain = Some(v);
        r
    }

    /// RFC 5322 §4.4 obs-domain-list, written `@a,@b`.
    fn route(&mut self) -> Step {
        let mut v = Vec::new();
        while self.peek() == Some(b'@') {
            if !v.is_empty() {
                v.push(b',');
            }
            v.push(b'@');
            if !self.domain(&mut v)? {
                return Some(false);
            }
            while self.skip()? && self.peek() == Some(b',') {
                self.pos += 1;
            }
        }
        if self.pos >= self.s.len() {
            return Some(false);
        }
        self.addr.route = Some(v);
        Some(true)
    }

    /// `"<" [route ":"] [local-part ["@" domain]] ">"`.
    fn angle_addr(&mut self) -> Step {
        self.pos += 1;
        if !self.skip()? {
            return None;
        }
        if self.peek() == Some(b'@') {
            if self.route() == Some(true) && self.peek() == Some(b':') {
                self.pos += 1;
            } else {
                self.addr.route = Some(b"INVALID_ROUTE".to_vec());
                self.peek()?;
            }
            if !self.skip()? {
                return None;
            }
        }
        if self.peek() != Some(b'>') {
            if !self.local_part()? {
                return None;
            }
            if self.peek() == Some(b'@') && !self.parse_domain()? {
                return None;
            }
        }
        if self.peek() != Some(b'>') {
            return None;
        }
        self.pos += 1;
        self.skip()
    }

    /// `[display-name] angle-addr`; `None` when it is not one (try addr-spec).
    fn name_addr(&mut self) -> Step {
        let mut name = Vec::new();
        if !self.phrase(&mut name)? || self.peek() != Some(b'<') {
            return None;
        }
        self.addr.name = (!name.is_empty()).then_some(name);
        if self.angle_addr().is_none() {
            self.addr.domain = Some(b"SYNTAX_ERROR".to_vec());
        }
        self.more()
    }

    /// `local-part ["@" domain]`, a comment after it taken as the display name.
    fn addr_spec(&mut self) -> Step {
        self.comment.clear();
        let quoted = self.peek() == Some(b'"');
        let mut r = self.local_part();
        let mut domain = false;
        if r != Some(false) && self.peek() == Some(b'@') {
            domain = true;
            let d = self.parse_domain();
            if d != Some(true) {
                r = d;
            }
        }
        if !self.comment.is_empty() {
            self.addr.name = Some(self.comment.clone());
        } else if !domain {
            // A lone word is a local part; more words make it a display name.
            let mut v = self.addr.mailbox.clone().unwrap_or_default();
            v.push(b' ');
            let before = v.len();
            let _ = self.phrase(&mut v);
            if v.len() != before {
                self.addr.mailbox = None;
                self.addr.name = Some(v);
            } else if !quoted {
                self.addr.domain = Some(Vec::new());
            }
            return None;
        }
        r
    }

    fn push(&mut self) {
        let a = std::mem::take(&mut self.addr);
        self.out.push(a);
    }

    fn mailbox(&mut self) -> Step {
        let start = self.pos;
        let mut r = self.name_addr();
        if r.is_none() {
            self.pos = start;
            self.addr = Address::default();
            r = self.addr_spec();
        }
        for (part, missing) in [
            (&mut self.addr.mailbox, &b"MISSING_MAILBOX"[..]),
            (&mut self.addr.domain, b"MISSING_DOMAIN"),
        ] {
            if part.as_ref().is_none_or(|p| p.is_empty()) {
                *part = Some(missing.to_vec());
            }
        }
        self.push();
        r
    }

    fn mailbox_list(&mut self) -> Step {
        loop {
            let r = self.mailbox();
            if r != Some(true) || self.peek() != Some(b',') {
                return r;
            }
            self.pos += 1;
            let r = self.skip();
            if r != Some(true) {
                return r;
            }
        }
    }

    /// `display-name ":" [mailbox-list] ";"`; `None` when it is not a group.
    fn group(&mut self) -> Step {
        let mut name = Vec::new();
        if !self.phrase(&mut name)? || self.peek() != Some(b':') {
            return None;
        }
        self.pos += 1;
        let mut r = self.skip();
        self.addr.mailbox = Some(name);
        self.push();
        if r == Some(true) && self.peek() == Some(b';') {
            self.pos += 1;
            r = self.skip();
        } else {
            if r == Some(true) {
                r = self.mailbox_list();
            }
            if r == Some(true) {
                if self.peek() == Some(b';') {
                    self.pos += 1;
                    r = self.skip();
                } else {
                    r = None;
                }
            }
        }
        self.push();
        Some(r != Some(false))
    }

    fn address(&mut self) -> Step {
        let start = self.pos;
        match self.group() {
            None => {
                self.pos = start;
                self.addr = Address::default();
                self.mailbox()
            }
            r => r,
        }
    }

    /// RFC 5322 §3.4 address-list; what follows a syntax error is dropped.
    fn list(mut self) -> Vec<Address> {
        if self.skip() != Some(true) {
            return Vec::new();
        }
        loop {
            if self.address() == Some(false) {
                break;
            }
            if self.peek() != Some(b',') {
                break;
            }
            self.pos += 1;
            if self.skip() != Some(true) {
                break;
            }
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_octets_end_in_a_list_without_panic() {
        // An outside sender writes these fields: every mix of the characters the grammar
        // cares about must end (each step consumes input) and give well-formed addresses.
        let alphabet = b"ab@.,;:<>()\"\\[] \t\r\n=?\x80\xff";
        let mut seed = 0x2545_f491_u64;
        for _ in 0..20_000 {
            let mut value = Vec::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                value.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            for a in parse_list(&value) {
                // A group end has nothing; anything else has a mailbox.
                assert!(a.mailbox.is_some() || a == Address::default(), "{value:?}");
            }
        }
    }

    #[test]
    fn a_comment_names_a_bare_address_and_a_phrase_a_bracketed_one() {
        let list = parse_list(b"a@b (Ann), \"B, C\" (x) <c@d>, e");
        let names: Vec<_> = list.iter().map(|a| a.name.clone()).collect();
        assert_eq!(names, [Some(b"Ann".to_vec()), Some(b"B, C".to_vec()), None]);
        assert_eq!(list[2].domain.as_deref(), Some(&b"MISSING_DOMAIN"[..]));
    }
}
