//! ENVELOPE (RFC 9051 §7.5.2, RFC 3501 §7.4.2) from a message's raw header, byte for byte as
//! Dovecot 2.3 writes it (clients cache it): strings are the header's own octets, encoded
//! words kept as sent and 8-bit text sent as a literal; addresses are read with RFC 5322 §3.4
//! syntax (groups as `(NIL NIL "name" NIL)` ... `(NIL NIL NIL NIL)`, RFC 3501 §7.4.2), a
//! missing local part or domain named `MISSING_MAILBOX` / `MISSING_DOMAIN` as Dovecot does.
//!
//! Where a field occurs twice, Date, Subject, In-Reply-To and Message-ID take the last one
//! and the address fields are joined, as Dovecot does (so that no address hides behind the
//! one a client shows). The output is stored: a change must raise `op::summary::FORMAT`.

use proto::imap::response::{literal, string};

/// One address of an address list; a group start has only `mailbox` (the group name), a
/// group end nothing (RFC 3501 §7.4.2).
#[derive(Default, Debug, PartialEq)]
struct Address {
    name: Option<Vec<u8>>,
    route: Option<Vec<u8>>,
    mailbox: Option<Vec<u8>>,
    domain: Option<Vec<u8>>,
}

/// The header fields ENVELOPE reads, each as its raw value (continuation lines kept).
#[derive(Default)]
struct Fields {
    date: Option<Vec<u8>>,
    subject: Option<Vec<u8>>,
    in_reply_to: Option<Vec<u8>>,
    message_id: Option<Vec<u8>>,
    /// From, Sender, Reply-To, To, Cc, Bcc.
    addresses: [Vec<Address>; 6],
}

/// Writes the ENVELOPE of the message (or encapsulated message) `raw`.
pub(crate) fn envelope(out: &mut Vec<u8>, raw: &[u8], utf8: bool) {
    let mut f = Fields::default();
    for (name, value) in header_fields(raw) {
        let name = name.to_ascii_lowercase();
        let text = match name.as_slice() {
            b"date" => &mut f.date,
            b"subject" => &mut f.subject,
            b"in-reply-to" => &mut f.in_reply_to,
            b"message-id" => &mut f.message_id,
            _ => {
                let at = ["from", "sender", "reply-to", "to", "cc", "bcc"]
                    .iter()
                    .position(|n| n.as_bytes() == name.as_slice());
                if let Some(at) = at {
                    f.addresses[at].extend(Parser::new(&value).list());
                }
                continue;
            }
        };
        *text = Some(value);
    }
    out.push(b'(');
    nstring_nolf(out, f.date.as_deref(), utf8);
    out.push(b' ');
    match &f.subject {
        Some(s) => for_humans(out, s, utf8),
        None => out.extend_from_slice(b"NIL"),
    }
    let [from, sender, reply_to, to, cc, bcc] = &f.addresses;
    // Sender and Reply-To default to From (RFC 9051 §7.5.2).
    let sender = if sender.is_empty() { from } else { sender };
    let reply_to = if reply_to.is_empty() { from } else { reply_to };
    for list in [from, sender, reply_to, to, cc, bcc] {
        out.push(b' ');
        address_list(out, list, utf8);
    }
    out.push(b' ');
    nstring_nolf(out, f.in_reply_to.as_deref(), utf8);
    out.push(b' ');
    nstring_nolf(out, f.message_id.as_deref(), utf8);
    out.push(b')');
}

fn address_list(out: &mut Vec<u8>, list: &[Address], utf8: bool) {
    if list.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for a in list {
        out.push(b'(');
        match &a.name {
            Some(n) => for_humans(out, n, utf8),
            None => out.extend_from_slice(b"NIL"),
        }
        for part in [&a.route, &a.mailbox, &a.domain] {
            out.push(b' ');
            nstring_nolf(out, part.as_deref(), utf8);
        }
        out.push(b')');
    }
    out.push(b')');
}

/// The fields of the header at the start of `raw` (up to the blank line): name (trailing
/// white space removed) and value (leading white space removed; each continuation line
/// joined with its CRLF and its own white space, RFC 5322 §2.2.3).
fn header_fields(raw: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut fields: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut folding = false;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if matches!(line[0], b' ' | b'\t') {
            if let Some((_, value)) = fields.last_mut().filter(|_| folding) {
                value.extend_from_slice(b"\r\n");
                value.extend_from_slice(line);
            }
            continue;
        }
        folding = false;
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = &line[colon + 1..];
        let start = value
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(value.len());
        fields.push((
            line[..colon].trim_ascii_end().to_vec(),
            value[start..].to_vec(),
        ));
        folding = true;
    }
    fields
}

/// Dovecot's `imap_append_nstring`: a quoted string, or a literal for CR, LF, 8-bit octets
/// (unless UTF-8 is enabled, RFC 6855) or more than four characters that need escaping.
fn nstring(out: &mut Vec<u8>, s: Option<&[u8]>, utf8: bool) {
    let Some(s) = s else {
        out.extend_from_slice(b"NIL");
        return;
    };
    let escapes = s.iter().filter(|&&b| b == b'"' || b == b'\\').count();
    let plain = s
        .iter()
        .all(|&b| b != b'\r' && b != b'\n' && b != 0 && (utf8 || b < 0x80));
    if !plain || escapes > 4 {
        literal(out, s);
    } else {
        // Quoted (a value of 1,024 octets or more goes as a literal there).
        string(out, s, utf8);
    }
}

/// `nstring` of the value without its line breaks (a break not followed by white space
/// becomes a space).
fn nstring_nolf(out: &mut Vec<u8>, s: Option<&[u8]>, utf8: bool) {
    let Some(s) = s else {
        return nstring(out, None, utf8);
    };
    let mut v = Vec::with_capacity(s.len());
    for (i, &b) in s.iter().enumerate() {
        if b != b'\r' && b != b'\n' {
            v.push(b);
        } else if !matches!(s.get(i + 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            v.push(b' ');
        }
    }
    nstring(out, Some(v.trim_ascii_end()), utf8);
}

/// Dovecot's `imap_append_string_for_humans` (subject, display names): white space runs
/// (line breaks included) become one space, none at either end, NUL becomes 0x80; a value
/// left as it was and free of `"`, `\` and 8-bit octets is quoted, anything else is sent
/// as a literal (`""` when nothing is left).
fn for_humans(out: &mut Vec<u8>, s: &[u8], utf8: bool) {
    let mut v = Vec::with_capacity(s.len());
    for &b in s {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                if !v.is_empty() && v.last() != Some(&b' ') {
                    v.push(b' ');
                }
            }
            0 => v.push(0x80),
            _ => v.push(b),
        }
    }
    if v.last() == Some(&b' ') {
        v.pop();
    }
    if v.is_empty() {
        out.extend_from_slice(b"\"\"");
    } else if v == s
        && s.iter()
            .all(|&b| b != b'"' && b != b'\\' && (utf8 || b < 0x80))
    {
        out.push(b'"');
        out.extend_from_slice(s);
        out.push(b'"');
    } else {
        literal(out, &v);
    }
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

    fn env(header: &str) -> String {
        let mut out = Vec::new();
        envelope(&mut out, header.as_bytes(), false);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn groups_and_missing_parts_are_written_as_dovecot_does() {
        let e = env(
            "To: undisclosed-recipients:;\r\nCc: A: x@y, \"B\" <b@c>;, d@e\r\nBcc: localonly, <>\r\n\r\n",
        );
        assert_eq!(
            e,
            "(NIL NIL NIL NIL NIL \
             ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) \
             ((NIL NIL \"A\" NIL)(NIL NIL \"x\" \"y\")(\"B\" NIL \"b\" \"c\")(NIL NIL NIL NIL)(NIL NIL \"d\" \"e\")) \
             ((NIL NIL \"localonly\" \"MISSING_DOMAIN\")(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")) NIL NIL)"
        );
    }

    #[test]
    fn names_are_kept_as_sent() {
        let e = env(
            "From: =?utf-8?q?J=C3=B6rg?= (x) <j@d>, a@b (Ann  B)\r\nSender: <@r1,@r2:l@d>\r\nSubject: a\r\n b\r\n\r\n",
        );
        assert_eq!(
            e,
            "(NIL {3}\r\na b ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"d\")({5}\r\nAnn B NIL \"a\" \"b\")) \
             ((NIL \"@r1,@r2\" \"l\" \"d\")) ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"d\")({5}\r\nAnn B NIL \"a\" \"b\")) NIL NIL NIL NIL NIL)"
        );
    }
}
