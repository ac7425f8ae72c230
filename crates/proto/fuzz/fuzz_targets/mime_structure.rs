//! The MIME structure walk of the IMAP server on any message: the shape limits
//! (`proto::shape`), mail-parser, BODY and BODYSTRUCTURE (`structure.rs`, `mime.rs`),
//! ENVELOPE and body sections (`message.rs`). Nothing may panic or overflow the stack, and
//! every structure and envelope written must be balanced IMAP (parentheses outside quoted
//! strings and literals).
//!
//! The three files are compiled into this target with `#[path]` rather than through the `imap`
//! crate: that crate brings the store (SQLite), TLS and tokio, which are slow to build with
//! the sanitizer and irrelevant here; the files need only mail-parser, base64 and `proto`.

#![no_main]
#![allow(dead_code)]

#[path = "../../../imap/src/message.rs"]
mod message;
#[path = "../../../imap/src/mime.rs"]
mod mime;
#[path = "../../../imap/src/structure.rs"]
mod structure;

use libfuzzer_sys::fuzz_target;
use proto::imap::{Section, SectionText};

/// Whether `out` closes every parenthesis it opens, skipping quoted strings (with `\`
/// escapes) and `{n}` literals.
fn balanced(out: &[u8]) -> bool {
    let mut depth = 0i64;
    let mut i = 0;
    while i < out.len() {
        match out[i] {
            b'"' => {
                i += 1;
                while i < out.len() && out[i] != b'"' {
                    i += if out[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => {
                let close = out[i..].iter().position(|&b| b == b'}');
                let Some(close) = close else { return false };
                let n: usize = std::str::from_utf8(&out[i + 1..i + close])
                    .ok()
                    .and_then(|n| n.trim_end_matches('+').parse().ok())
                    .unwrap_or(0);
                // `{n}` CRLF, then n octets.
                i += close + 2 + n;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

fuzz_target!(|raw: &[u8]| {
    for extended in [false, true] {
        let mut out = Vec::new();
        match message::parse(raw) {
            Some(msg) => {
                structure::body_structure(&mut out, &msg, raw, false, extended);
                let mut env = Vec::new();
                message::envelope(&mut env, &msg, extended);
                assert!(balanced(&env), "{}", String::from_utf8_lossy(&env));
            }
            None => structure::unparsed(&mut out, raw, extended),
        }
        assert!(balanced(&out), "{}", String::from_utf8_lossy(&out));
    }
    if let Some(h) = message::parse_header(raw) {
        let mut env = Vec::new();
        message::envelope(&mut env, &h, true);
    }
    // Sections by part number, as a client walking the structure would ask.
    for part in [&[][..], &[1], &[2, 1], &[1, 1, 1]] {
        for text in [SectionText::Header, SectionText::Text] {
            let s = Section {
                part: part.to_vec(),
                text,
                partial: None,
                peek: true,
                binary: false,
            };
            let _ = message::section(raw, &s);
        }
    }
});
