//! Writing responses (RFC 9051 §7): status lines with response codes, and strings quoted or
//! sent as literals as their content requires.

/// Tagged or untagged status (RFC 9051 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    Bad,
    Bye,
    PreAuth,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::No => "NO",
            Status::Bad => "BAD",
            Status::Bye => "BYE",
            Status::PreAuth => "PREAUTH",
        }
    }
}

/// `tag STATUS [CODE] text` (or `*` for an untagged one). `code` is written in brackets when
/// non-empty. The text must be one line of our own making: CR and LF are replaced.
pub fn status(out: &mut Vec<u8>, tag: Option<&str>, status: Status, code: &str, text: &str) {
    out.extend_from_slice(tag.unwrap_or("*").as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.word().as_bytes());
    out.push(b' ');
    if !code.is_empty() {
        out.push(b'[');
        out.extend_from_slice(code.as_bytes());
        out.extend_from_slice(b"] ");
    }
    for &b in text.as_bytes() {
        out.push(if b == b'\r' || b == b'\n' { b' ' } else { b });
    }
    out.extend_from_slice(b"\r\n");
}

/// An untagged data line: `* ` + `text` + CRLF.
pub fn untagged(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"* ");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A continuation request (RFC 9051 §7.5): `+ text`.
pub fn untagged_continue(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"+ ");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A string: quoted if it can be (RFC 9051 §4.3: no CR, LF, NUL, 8-bit only with UTF-8
/// allowed), a literal otherwise.
pub fn string(out: &mut Vec<u8>, s: &[u8], utf8: bool) {
    let quotable = s.len() < 1024
        && s.iter()
            .all(|&b| b != b'\r' && b != b'\n' && b != 0 && (utf8 || b < 0x80));
    if quotable {
        out.push(b'"');
        for &b in s {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        literal(out, s);
    }
}

/// `{n}` CRLF and the octets.
pub fn literal(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
    out.extend_from_slice(s);
}

/// NIL for `None`, else a string.
pub fn nstring(out: &mut Vec<u8>, s: Option<&[u8]>, utf8: bool) {
    match s {
        Some(s) => string(out, s, utf8),
        None => out.extend_from_slice(b"NIL"),
    }
}

/// A string as a `String` (for building response lines).
pub fn quote(s: &str) -> String {
    let mut out = Vec::new();
    string(&mut out, s.as_bytes(), true);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_or_sent_as_literals() {
        let cases: &[(&[u8], bool, &[u8])] = &[
            (b"INBOX", false, b"\"INBOX\""),
            (b"a \"b\" \\c", false, b"\"a \\\"b\\\" \\\\c\""),
            (b"two\r\nlines", false, b"{10}\r\ntwo\r\nlines"),
            ("中文".as_bytes(), false, b"{6}\r\n\xe4\xb8\xad\xe6\x96\x87"),
            ("中文".as_bytes(), true, "\"中文\"".as_bytes()),
        ];
        for (input, utf8, want) in cases {
            let mut out = Vec::new();
            string(&mut out, input, *utf8);
            assert_eq!(out, *want);
        }
        let mut out = Vec::new();
        status(&mut out, Some("a1"), Status::No, "TRYCREATE", "no\r\nsuch");
        assert_eq!(out, b"a1 NO [TRYCREATE] no  such\r\n");
    }
}
