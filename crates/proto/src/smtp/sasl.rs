//! SASL payloads for AUTH PLAIN (RFC 4616) and LOGIN, and xtext (RFC 3461 §4).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslError {
    /// Not valid base64: `501 5.5.2`.
    BadBase64,
    /// Decoded, but not the shape the mechanism requires: `501 5.5.2`.
    Malformed,
}

/// Decodes base64 (standard alphabet, padding required).
///
/// The AUTH initial response `=` (an empty response, RFC 4954 §4) is not base64; the session
/// recognises it before calling this.
pub fn decode_base64(input: &str) -> Result<Vec<u8>, SaslError> {
    STANDARD.decode(input).map_err(|_| SaslError::BadBase64)
}

/// Decodes a PLAIN response (`authzid NUL authcid NUL passwd`) into (authzid, authcid, passwd).
/// The authzid is `None` when empty.
pub fn decode_plain(decoded: &[u8]) -> Result<(Option<String>, String, String), SaslError> {
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd, with authcid and
    // passwd at least one character and no NUL in any of the three.
    let mut parts = decoded.split(|&b| b == 0);
    let (Some(authzid), Some(authcid), Some(passwd), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SaslError::Malformed);
    };
    if authcid.is_empty() || passwd.is_empty() {
        return Err(SaslError::Malformed);
    }
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| SaslError::Malformed);
    let authzid = if authzid.is_empty() {
        None
    } else {
        Some(text(authzid)?)
    };
    Ok((authzid, text(authcid)?, text(passwd)?))
}

/// Decodes xtext (`+XX` hex escapes) of RFC 3461 §4.
///
/// `None` when the input is not xtext (a character outside `!`..`~`, a bare `=`, a `+`
/// without two upper-case hex digits) or when the decoded bytes are not UTF-8.
pub fn xtext_decode(input: &str) -> Option<String> {
    // RFC 3461 §4: xchar = "!".."~" except "+" and "="; hexchar = "+" 2(DIGIT / "A".."F").
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => {
                let hi = hex_digit(bytes.next()?)?;
                let lo = hex_digit(bytes.next()?)?;
                out.push(hi << 4 | lo);
            }
            b'=' => return None,
            b'!'..=b'~' => out.push(b),
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64_table() {
        let cases: &[(&str, Result<&[u8], SaslError>)] = &[
            ("", Ok(b"")),
            ("dXNlcg==", Ok(b"user")),
            ("AHVzZXIAcGFzcw==", Ok(b"\0user\0pass")),
            ("dXNlcg", Err(SaslError::BadBase64)),
            ("dXNl cg==", Err(SaslError::BadBase64)),
            ("=", Err(SaslError::BadBase64)),
            ("dXNlcg-_", Err(SaslError::BadBase64)),
            ("*", Err(SaslError::BadBase64)),
        ];
        for (input, want) in cases {
            assert_eq!(
                decode_base64(input),
                want.clone().map(<[u8]>::to_vec),
                "{input:?}"
            );
        }
    }

    type Plain = (Option<String>, String, String);

    #[test]
    fn decodes_plain_table() {
        let s = |x: &str| x.to_string();
        let cases: &[(&[u8], Result<Plain, SaslError>)] = &[
            (b"\0user\0pass", Ok((None, s("user"), s("pass")))),
            (
                b"admin\0user\0pass",
                Ok((Some(s("admin")), s("user"), s("pass"))),
            ),
            (
                "\0j\u{f8}rgen\0p\u{e5}ss".as_bytes(),
                Ok((None, s("j\u{f8}rgen"), s("p\u{e5}ss"))),
            ),
            (b"\0user\0", Err(SaslError::Malformed)),
            (b"\0\0pass", Err(SaslError::Malformed)),
            (b"user\0pass", Err(SaslError::Malformed)),
            (b"a\0user\0pa\0ss", Err(SaslError::Malformed)),
            (b"", Err(SaslError::Malformed)),
            (b"\0us\xffer\0pass", Err(SaslError::Malformed)),
            (b"\xff\0user\0pass", Err(SaslError::Malformed)),
        ];
        for (input, want) in cases {
            assert_eq!(&decode_plain(input), want, "{input:?}");
        }
    }

    #[test]
    fn decodes_xtext_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("", Some("")),
            ("abc", Some("abc")),
            ("a+2Bb", Some("a+b")),
            ("+3D", Some("=")),
            ("<>", Some("<>")),
            ("+C3+A9", Some("\u{e9}")),
            ("a+2b", None),
            ("a+2", None),
            ("a+", None),
            ("a=b", None),
            ("a b", None),
            ("\u{e9}", None),
            ("+FF", None),
            ("+GG", None),
        ];
        for (input, want) in cases {
            assert_eq!(xtext_decode(input).as_deref(), *want, "{input:?}");
        }
    }
}
