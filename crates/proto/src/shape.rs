//! The shape of a message, read before mail-parser sees it: any outside sender chooses how
//! parts nest, and mail-parser keeps encapsulated messages (message/rfc822 and
//! message/global, RFC 2046 §5.2.1) as nested values that it copies and drops recursively:
//! 20,000 of them inside each other overflowed the stack and ended the server. A message
//! beyond these limits is not given to mail-parser; IMAP shows it as one text part, as
//! Dovecot treats the rest of a message past its MIME limits as plain text.
//!
//! The scan is one pass over the bytes. It reads every run of lines that looks like a header
//! (`name: value`, folded lines joined), wherever it is, so it may count more than
//! mail-parser would find, never fewer.

use std::collections::HashSet;

/// The most header blocks declaring an encapsulated message (or a digest, whose parts are
/// messages by default, RFC 2046 §5.1.5). The nesting, and so mail-parser's recursion, is at
/// most this deep; 6,000 levels were measured to fit a 2 MiB stack in a debug build.
pub const MAX_MESSAGES: usize = 1000;

/// The most body parts (boundary lines of the message's own multipart boundaries), each of
/// which costs mail-parser memory.
pub const MAX_PARTS: usize = 10_000;

/// What one header block declares.
#[derive(Default)]
struct Block {
    /// The Content-Type value, lowercased.
    content_type: Option<Vec<u8>>,
    /// Content-Transfer-Encoding is base64 or quoted-printable.
    encoded: bool,
}

impl Block {
    /// Takes one unfolded field.
    fn field(&mut self, field: &[u8]) {
        let Some(colon) = field.iter().position(|&b| b == b':') else {
            return;
        };
        let name = field[..colon].trim_ascii();
        let value = field[colon + 1..].to_ascii_lowercase();
        if name.eq_ignore_ascii_case(b"content-type") {
            self.content_type.get_or_insert(value);
        } else if name.eq_ignore_ascii_case(b"content-transfer-encoding") {
            self.encoded |= contains(&value, b"base64") || contains(&value, b"quoted");
        }
    }
}

/// The counts so far.
#[derive(Default)]
struct Scan {
    boundaries: HashSet<Vec<u8>>,
    digest: bool,
    messages: usize,
    parts: usize,
}

impl Scan {
    /// Takes a finished header block; false when the message is past a limit.
    fn block(&mut self, b: Block) -> bool {
        let ct = b.content_type.unwrap_or_default();
        self.digest |= contains(&ct, b"digest");
        let message = contains(&ct, b"message") || contains(&ct, b"digest");
        self.messages += usize::from(message);
        // RFC 2046 §5.2.1: an encapsulated message is never base64 or quoted-printable;
        // mail-parser decodes and parses one anyway, out of sight of this scan. A digest's
        // parts are messages unless they say otherwise (RFC 2046 §5.1.5).
        let may_be_message = message || (self.digest && !contains(&ct, b"/"));
        if b.encoded && may_be_message {
            return false;
        }
        if contains(&ct, b"multipart")
            && let Some(boundary) = boundary(&ct)
        {
            self.boundaries.insert(boundary);
        }
        self.messages <= MAX_MESSAGES
    }

    /// Takes a line starting with `--` (after the dashes); false past the part limit.
    fn dash_line(&mut self, rest: &[u8]) -> bool {
        let rest = rest.trim_ascii_end();
        let rest = rest.strip_suffix(b"--").unwrap_or(rest);
        if !self.boundaries.is_empty() && self.boundaries.contains(&rest.to_ascii_lowercase()) {
            self.parts += 1;
        }
        self.parts <= MAX_PARTS
    }
}

/// Whether mail-parser may be given `raw`. A boundary is declared before it is used, and a
/// digest before its parts, so one pass in order sees what mail-parser would.
pub fn parseable(raw: &[u8]) -> bool {
    scan(raw).is_some()
}

/// The boundaries (lower-cased) of every multipart the message declares, at any depth.
pub fn boundaries(raw: &[u8]) -> HashSet<Vec<u8>> {
    scan(raw).map(|s| s.boundaries).unwrap_or_default()
}

/// The counts of `raw`; `None` past a limit.
fn scan(raw: &[u8]) -> Option<Scan> {
    let mut scan = Scan::default();
    let mut current: Option<Block> = None;
    let mut field: Vec<u8> = Vec::new();
    for line in raw.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let folded = matches!(line.first(), Some(b' ' | b'\t'));
        if let Some(block) = current.as_mut() {
            if folded {
                field.extend_from_slice(line);
                continue;
            }
            block.field(&field);
            field.clear();
        }
        // A boundary line first: a boundary may contain `:` (RFC 2046 §5.1.1 bchars).
        let dashes = line.strip_prefix(b"--");
        if dashes.is_none() && looks_like_field(line) {
            current.get_or_insert_with(Block::default);
            field.extend_from_slice(line);
            continue;
        }
        if let Some(block) = current.take()
            && !scan.block(block)
        {
            return None;
        }
        if let Some(rest) = dashes
            && !scan.dash_line(rest)
        {
            return None;
        }
    }
    if let Some(mut block) = current {
        block.field(&field);
        if !scan.block(block) {
            return None;
        }
    }
    Some(scan)
}

/// `name:` at the start of a line, the name of visible characters (RFC 5322 §2.2).
fn looks_like_field(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    colon > 0 && line[..colon].iter().all(|&b| b > b' ' && b < 0x7f)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The `boundary` parameter of a (lowercased) Content-Type value, unquoted.
fn boundary(ct: &[u8]) -> Option<Vec<u8>> {
    let at = ct.windows(9).position(|w| w == b"boundary=")? + 9;
    let rest = &ct[at..];
    let value = match rest.strip_prefix(b"\"") {
        Some(q) => &q[..q.iter().position(|&b| b == b'"').unwrap_or(q.len())],
        None => {
            let end = rest
                .iter()
                .position(|&b| b == b';' || b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            &rest[..end]
        }
    };
    (!value.is_empty()).then(|| value.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_rfc822(depth: usize, encoding: &str) -> Vec<u8> {
        let mut m = String::from("From: x@outside.test\r\nSubject: rfc822\r\n");
        for _ in 0..depth {
            m.push_str(&format!("Content-Type: message/rfc822\r\n{encoding}\r\n"));
        }
        m.push_str("Subject: innermost\r\n\r\nbody\r\n");
        m.into_bytes()
    }

    #[test]
    fn ordinary_messages_pass() {
        assert!(parseable(b"Subject: hi\r\n\r\nbody\r\n"));
        assert!(parseable(b""));
        let multi = b"Content-Type: multipart/mixed;\r\n boundary=\"B\"\r\n\r\n--B\r\n\
            Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\r\n--B--\r\n";
        assert!(parseable(multi));
        assert!(parseable(&nested_rfc822(MAX_MESSAGES, "")));
    }

    #[test]
    fn hostile_shapes_are_refused() {
        assert!(!parseable(&nested_rfc822(MAX_MESSAGES + 1, "")));
        // Encoded encapsulated messages are parsed out of the scan's sight.
        assert!(!parseable(&nested_rfc822(
            1,
            "Content-Transfer-Encoding: base64\r\n"
        )));
        let digest = b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp4\r\n--d--\r\n";
        assert!(!parseable(digest));
        let mut many = b"Content-Type: multipart/mixed; boundary=p\r\n\r\n".to_vec();
        for _ in 0..=MAX_PARTS {
            many.extend_from_slice(b"--p\r\n\r\nx\r\n");
        }
        assert!(!parseable(&many));
    }
}
