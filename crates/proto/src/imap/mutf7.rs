//! Modified UTF-7 mailbox names (RFC 3501 §5.1.3), used on the wire by IMAP4rev1 clients
//! that have not enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2.

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

const B64: GeneralPurpose = GeneralPurpose::new(
    &IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

/// Encodes a UTF-8 name: printable ASCII stays (`&` becomes `&-`), the rest is UTF-16
/// in modified base64 between `&` and `-`.
pub fn encode(name: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if !pending.is_empty() {
            let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&B64.encode(bytes));
            out.push('-');
            pending.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Decodes a modified UTF-7 name; `None` if it is not valid (RFC 3501 §5.1.3: a server
/// should refuse names that are not).
pub fn decode(name: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut i = 0;
    while i < name.len() {
        let c = name[i];
        if c == b'&' {
            let end = i + 1 + name[i + 1..].iter().position(|&b| b == b'-')?;
            let run = &name[i + 1..end];
            if run.is_empty() {
                out.push('&');
            } else {
                let bytes = B64.decode(run).ok()?;
                if bytes.len() % 2 != 0 {
                    return None;
                }
                let units: Vec<u16> = bytes
                    .chunks(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                let s = String::from_utf16(&units).ok()?;
                // Printable ASCII must not be encoded.
                if s.chars().any(|c| (' '..='~').contains(&c)) {
                    return None;
                }
                out.push_str(&s);
            }
            i = end + 1;
        } else if (0x20..0x7f).contains(&c) {
            out.push(c as char);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_round_trip() {
        let cases = [
            ("INBOX", "INBOX"),
            ("Tom & Jerry", "Tom &- Jerry"),
            ("已发送", "&XfJT0ZAB-"),
            ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            ("Entwürfe", "Entw&APw-rfe"),
        ];
        for (utf8, wire) in cases {
            assert_eq!(encode(utf8), wire);
            assert_eq!(decode(wire.as_bytes()).as_deref(), Some(utf8));
        }
    }

    #[test]
    fn invalid_encodings_are_refused() {
        for bad in ["&", "&AGE-", "&Jjo", "a\u{7f}", "&!-"] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad}");
        }
    }
}
