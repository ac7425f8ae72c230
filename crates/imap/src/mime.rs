//! The MIME header fields BODYSTRUCTURE reports, read from a part's raw header the way
//! Dovecot 2.3 reads them, so that clients caching structures see the same bytes from both:
//! names and values keep their case, values that are not parsed keep their raw text
//! (unfolded), parameters follow RFC 2045 §5.1 and RFC 2231 §3-4.

/// The raw (unfolded) values of the MIME fields of one part's header; the first of each wins.
#[derive(Default)]
pub(crate) struct Fields {
    pub content_type: Option<Vec<u8>>,
    pub encoding: Option<Vec<u8>>,
    pub id: Option<Vec<u8>>,
    pub description: Option<Vec<u8>>,
    pub md5: Option<Vec<u8>>,
    pub disposition: Option<Vec<u8>>,
    pub language: Option<Vec<u8>>,
    pub location: Option<Vec<u8>>,
}

/// One parameter, `name=value` (value unquoted).
pub(crate) type Param = (Vec<u8>, Vec<u8>);

/// Reads the MIME fields of a header (RFC 5322 §2.2: a field continues on lines starting
/// with white space; unfolding removes the CRLF only). Leading white space of a value is
/// dropped, as Dovecot's header parser does.
pub(crate) fn fields(header: &[u8]) -> Fields {
    let mut f = Fields::default();
    let mut lines = header.split_inclusive(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if line.trim_ascii().is_empty() {
            break;
        }
        let mut field = trim_eol(line).to_vec();
        while let Some(next) = lines.next_if(|l| matches!(l.first(), Some(b' ' | b'\t'))) {
            field.extend_from_slice(trim_eol(next));
        }
        let Some(colon) = field.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = field[..colon].trim_ascii().to_ascii_lowercase();
        let start = field[colon + 1..]
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .map_or(field.len(), |p| colon + 1 + p);
        let value = field[start..].to_vec();
        let slot = match name.as_slice() {
            b"content-type" => &mut f.content_type,
            b"content-transfer-encoding" => &mut f.encoding,
            b"content-id" => &mut f.id,
            b"content-description" => &mut f.description,
            b"content-md5" => &mut f.md5,
            b"content-disposition" => &mut f.disposition,
            b"content-language" => &mut f.language,
            b"content-location" => &mut f.location,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    f
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A lexer over one field value: RFC 2045 §5.1 tokens, RFC 5322 §3.2.4 quoted strings,
/// and RFC 5322 §3.2.2 white space and (nested) comments, which it skips.
pub(crate) struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(s: &'a [u8]) -> Lexer<'a> {
        Lexer { s, pos: 0 }
    }

    fn skip(&mut self) {
        let mut depth = 0usize;
        while let Some(&b) = self.s.get(self.pos) {
            match b {
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b'\\' if depth > 0 => self.pos += 1,
                b' ' | b'\t' | b'\r' | b'\n' => {}
                _ if depth > 0 => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    /// Skips white space and comments, then takes `c` if it is next.
    pub fn eat(&mut self, c: u8) -> bool {
        self.skip();
        let hit = self.s.get(self.pos) == Some(&c);
        self.pos += usize::from(hit);
        hit
    }

    /// An RFC 2045 token (possibly empty).
    pub fn token(&mut self) -> &'a [u8] {
        self.skip();
        let start = self.pos;
        while let Some(&b) = self.s.get(self.pos) {
            if b <= b' ' || b == 0x7f || b"()<>@,;:\\\"/[]?=".contains(&b) {
                break;
            }
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    /// A token or a quoted string, unquoted; a value starting with `=` (an encoded word
    /// written unquoted, `name==?gb2312?B?...?=`) runs to white space or `;`, as Dovecot
    /// reads it.
    fn value(&mut self) -> Vec<u8> {
        if !self.eat(b'"') {
            if self.s.get(self.pos) == Some(&b'=') {
                let start = self.pos;
                while self
                    .s
                    .get(self.pos)
                    .is_some_and(|b| !b"; \t\r\n".contains(b))
                {
                    self.pos += 1;
                }
                return self.s[start..self.pos].to_vec();
            }
            return self.token().to_vec();
        }
        let mut v = Vec::new();
        while let Some(&b) = self.s.get(self.pos) {
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(&c) = self.s.get(self.pos) {
                        v.push(c);
                        self.pos += 1;
                    }
                }
                _ => v.push(b),
            }
        }
        v
    }

    /// After a type: whether parameters (or nothing) follow, as they must.
    pub fn at_params(&mut self) -> bool {
        self.skip();
        matches!(self.s.get(self.pos), None | Some(b';'))
    }

    /// `*(";" attribute "=" value)` (RFC 2045 §5.1), merged as RFC 2231 says.
    /// A broken parameter is skipped (Dovecot's `rfc2231_parse`: an octet at a time from
    /// where it broke, up to the next `;`), so that the parameters after it still count.
    pub fn params(&mut self) -> Vec<Param> {
        let mut raw = Vec::new();
        loop {
            self.skip();
            if self.pos >= self.s.len() {
                break;
            }
            if self.s[self.pos] != b';' {
                self.pos += 1;
                continue;
            }
            self.pos += 1;
            let name = self.token().to_vec();
            if name.is_empty() || !self.eat(b'=') {
                self.skip();
                self.pos += 1;
                continue;
            }
            raw.push((name, self.value()));
        }
        rfc2231(raw)
    }
}

/// RFC 2231 §3-4, as Dovecot merges: plain parameters first, in order; then each starred
/// one, its continuations `name*0`, `name*1`... joined. A parameter with any extended
/// (`*`-ending, charset-encoded) section is kept encoded, named `name*`; the others become
/// `name`.
fn rfc2231(raw: Vec<Param>) -> Vec<Param> {
    let mut plain = Vec::new();
    // (name, section number, extended, value)
    let mut starred: Vec<(Vec<u8>, u32, bool, Vec<u8>)> = Vec::new();
    for (name, value) in raw {
        let Some(star) = name.iter().position(|&b| b == b'*') else {
            plain.push((name, value));
            continue;
        };
        let rest = &name[star + 1..];
        let (digits, extended) = match rest.strip_suffix(b"*") {
            Some(d) => (d, true),
            None => (rest, rest.is_empty()),
        };
        let n = std::str::from_utf8(digits).ok().and_then(|d| {
            if d.is_empty() {
                Some(0)
            } else {
                d.parse().ok()
            }
        });
        match n {
            Some(n) => starred.push((name[..star].to_vec(), n, extended, value)),
            None => plain.push((name, value)),
        }
    }
    starred.sort_by_key(|a| (a.0.to_ascii_lowercase(), a.1));
    for group in starred.chunk_by(|a, b| a.0.eq_ignore_ascii_case(&b.0)) {
        // Sections missing (no `*0`, a gap): not RFC 2231 after all, each kept as written.
        if group.iter().enumerate().any(|(i, p)| p.1 as usize != i) {
            for (name, n, ext, v) in group {
                let star = if *ext { "*" } else { "" };
                let name = [&name[..], format!("*{n}{star}").as_bytes()].concat();
                plain.push((name, v.clone()));
            }
            continue;
        }
        let extended = group.iter().any(|p| p.2);
        let mut value = Vec::new();
        for (_, _, ext, v) in group {
            if extended && !ext {
                percent_encode(&mut value, v);
            } else {
                value.extend_from_slice(v);
            }
        }
        let mut name = group[0].0.clone();
        if extended {
            name.push(b'*');
        }
        plain.push((name, value));
    }
    plain
}

/// RFC 2231 §4 `attribute-char`s stay, other octets become `%XX`.
fn percent_encode(out: &mut Vec<u8>, v: &[u8]) {
    for &b in v {
        if b > b' ' && b < 0x7f && !b"*'%()<>@,;:\\\"/[]?=".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_rfc2231_sections() {
        let mut l = Lexer::new(
            b"Text/Plain (c) ; CHARSET=\"UTF-8\"; n*1=\"b\"; n*0=a; f*=utf-8''%E4; g*0*=x; g*1=\" \"",
        );
        assert_eq!(l.token(), b"Text");
        assert!(l.eat(b'/'));
        assert_eq!(l.token(), b"Plain");
        let p: Vec<(String, String)> = l
            .params()
            .into_iter()
            .map(|(n, v)| {
                (
                    String::from_utf8_lossy(&n).into(),
                    String::from_utf8_lossy(&v).into(),
                )
            })
            .collect();
        let want = [
            ("CHARSET", "UTF-8"),
            ("f*", "utf-8''%E4"),
            ("g*", "x%20"),
            ("n", "ab"),
        ];
        assert_eq!(
            p,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
    }

    #[test]
    fn fields_are_unfolded_raw_values() {
        let f = fields(b"Subject: x\r\nContent-ID:   <a@b>  \r\ncontent-location: http://x/\r\n y\r\n\r\nContent-MD5: no\r\n");
        assert_eq!(f.id.as_deref(), Some(&b"<a@b>  "[..]));
        assert_eq!(f.location.as_deref(), Some(&b"http://x/ y"[..]));
        assert_eq!(f.md5, None);
    }
}
