//! What FETCH and SEARCH compute from a stored message with mail-parser: ENVELOPE
//! (RFC 9051 §7.5.2; BODYSTRUCTURE is in `structure.rs`), body sections (RFC 9051 §6.4.5);
//! SEARCH's texts are in `op/search_text.rs`.

use std::ops::Range;
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::{Address, HeaderName, Message, MessageParser, PartType};
use proto::imap::response::{nstring, string};
use proto::imap::{Section, SectionText};

/// One parser for the process: mail-parser's defaults, except that Received fields are
/// kept raw (IMAP never needs them parsed, and they are many and slow to parse).
///
/// A message past `shape`'s nesting and part limits is not parsed (`None`): callers show it
/// as one text part, with the envelope from [`parse_header`].
pub(crate) fn parse(raw: &[u8]) -> Option<Message<'_>> {
    if !crate::shape::parseable(raw) {
        return None;
    }
    parser().parse(raw)
}

/// The message's own header only: never nested, whatever the body holds.
pub(crate) fn parse_header(raw: &[u8]) -> Option<Message<'_>> {
    parser().parse_headers(raw)
}

fn parser() -> &'static MessageParser {
    static PARSER: OnceLock<MessageParser> = OnceLock::new();
    PARSER.get_or_init(|| {
        // mail-parser's built-in table (used when no header is configured), written out.
        let mut p = MessageParser::new()
            .with_mime_headers()
            .with_date_headers()
            .with_address_headers()
            .with_message_ids()
            .header_text(HeaderName::Subject)
            .header_text(HeaderName::Comments)
            .header_id(HeaderName::ReturnPath)
            .header_comma_separated(HeaderName::Keywords)
            .header_comma_separated(HeaderName::ContentLanguage)
            .header_raw(HeaderName::Received)
            .default_header_raw();
        for list in [
            HeaderName::ListArchive,
            HeaderName::ListHelp,
            HeaderName::ListId,
            HeaderName::ListOwner,
            HeaderName::ListPost,
            HeaderName::ListSubscribe,
            HeaderName::ListUnsubscribe,
        ] {
            p = p.header_address(list);
        }
        p
    })
}

/// A header field's raw value, unfolded and trimmed.
fn raw_header(msg: &Message, name: &str) -> Option<String> {
    let v = msg.header_raw(name)?;
    Some(v.replace("\r\n", "").replace('\n', "").trim().to_string())
}

/// An RFC 2047 encoded word for a non-ASCII display name, for clients without UTF-8.
fn encoded_word(s: &str) -> String {
    format!("=?utf-8?b?{}?=", STANDARD.encode(s))
}

/// The display name before `<address>` in a raw address header, when it is written as
/// RFC 2047 encoded words: ENVELOPE gives it as written (RFC 9051 §7.5.2 leaves encoded
/// words to the client), as Dovecot does, rather than decoded and encoded again.
fn raw_phrase(raw: &str, address: &str) -> Option<String> {
    let at = raw
        .to_ascii_lowercase()
        .find(&format!("<{}>", address.to_ascii_lowercase()))?;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in raw[..at].char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' | ':' if !quoted => start = i + 1,
            _ => {}
        }
    }
    let phrase = raw[start..at].trim();
    (phrase.starts_with("=?") && !phrase.contains('"')).then(|| phrase.to_string())
}

fn address_list(out: &mut Vec<u8>, addr: Option<&Address>, raw: Option<&str>, utf8: bool) {
    let list: Vec<_> = addr.map(|a| a.iter().collect()).unwrap_or_default();
    if list.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for a in list {
        out.push(b'(');
        let name = a.name.as_deref().map(|n| {
            if utf8 || n.is_ascii() {
                n.to_string()
            } else {
                raw.zip(a.address.as_deref())
                    .and_then(|(raw, address)| raw_phrase(raw, address))
                    .unwrap_or_else(|| encoded_word(n))
            }
        });
        nstring(out, name.as_deref().map(str::as_bytes), utf8);
        out.extend_from_slice(b" NIL ");
        let address = a.address.as_deref().unwrap_or("");
        let (local, host) = address.rsplit_once('@').unwrap_or((address, ""));
        string(out, local.as_bytes(), utf8);
        out.push(b' ');
        nstring(out, (!host.is_empty()).then_some(host.as_bytes()), utf8);
        out.push(b')');
    }
    out.push(b')');
}

/// RFC 9051 §7.5.2 ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc,
/// in-reply-to, message-id. Sender and reply-to default to from. Stored: a change to the
/// output must raise `op::summary::FORMAT`.
pub(crate) fn envelope(out: &mut Vec<u8>, msg: &Message, utf8: bool) {
    let text = |out: &mut Vec<u8>, name: &str| {
        let v = raw_header(msg, name);
        nstring(out, v.as_deref().map(str::as_bytes), utf8);
    };
    out.push(b'(');
    text(out, "Date");
    out.push(b' ');
    text(out, "Subject");
    out.push(b' ');
    let list = |out: &mut Vec<u8>, name: &str, fallback: bool| {
        let own = msg.header(name).and_then(|h| h.as_address());
        let (addr, raw_name) = match own {
            None if fallback => (msg.from(), "From"),
            _ => (own, name),
        };
        let raw = raw_header(msg, raw_name);
        address_list(out, addr, raw.as_deref(), utf8);
    };
    list(out, "From", false);
    out.push(b' ');
    list(out, "Sender", true);
    out.push(b' ');
    list(out, "Reply-To", true);
    out.push(b' ');
    list(out, "To", false);
    out.push(b' ');
    list(out, "Cc", false);
    out.push(b' ');
    list(out, "Bcc", false);
    out.push(b' ');
    text(out, "In-Reply-To");
    out.push(b' ');
    text(out, "Message-ID");
    out.push(b')');
}

/// What follows the header's blank line (nothing when there is none: all header).
pub(crate) fn body_of(raw: &[u8]) -> &[u8] {
    let mut at = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        at += line.len();
        if line == b"\r\n" || line == b"\n" {
            return &raw[at..];
        }
    }
    &raw[raw.len()..]
}

pub(crate) fn slice(raw: &[u8], r: Range<usize>) -> &[u8] {
    let end = r.end.min(raw.len());
    &raw[r.start.min(end)..end]
}

/// Where a part is: its MIME header and its body, as ranges of `raw`.
struct Located {
    header: Range<usize>,
    body: Range<usize>,
    /// The part is message/rfc822: HEADER and TEXT refer to the message inside.
    message: bool,
    /// The decoded content (BINARY), for a leaf part.
    decoded: Option<Vec<u8>>,
}

/// RFC 9051 §6.4.5: part numbers walk multiparts; a message/rfc822 part's numbers continue
/// inside the encapsulated message; a non-multipart message has one part, 1.
fn locate(raw: &[u8], path: &[u32], depth: usize) -> Option<Located> {
    let msg = parse(raw)?;
    let root = msg.parts.first()?;
    if path.is_empty() {
        return Some(Located {
            header: 0..root.offset_body as usize,
            body: root.offset_body as usize..raw.len(),
            message: true,
            decoded: None,
        });
    }
    let mut idx = 0usize;
    for (k, &n) in path.iter().enumerate() {
        let part = msg.parts.get(idx)?;
        match &part.body {
            PartType::Multipart(ids) => idx = *ids.get(n as usize - 1)? as usize,
            PartType::Message(_) if depth < 16 => {
                let start = part.offset_body as usize;
                let inner = slice(raw, start..part.offset_end as usize);
                let mut found = locate(inner, &path[k..], depth + 1)?;
                found.header = found.header.start + start..found.header.end + start;
                found.body = found.body.start + start..found.body.end + start;
                return Some(found);
            }
            _ if n == 1 && idx == 0 && k == 0 => {}
            _ => return None,
        }
    }
    let part = msg.parts.get(idx)?;
    let message = matches!(part.body, PartType::Message(_));
    let decoded = match &part.body {
        PartType::Text(t) | PartType::Html(t) => Some(t.as_bytes().to_vec()),
        PartType::Binary(b) | PartType::InlineBinary(b) => Some(b.to_vec()),
        _ => None,
    };
    Some(Located {
        header: part.offset_header as usize..part.offset_body as usize,
        body: part.offset_body as usize..part.offset_end as usize,
        message,
        decoded,
    })
}

/// The octets of a body section, before any partial; `None` if the part does not exist
/// (RFC 9051 §6.4.5 then asks for an empty string).
pub(crate) fn section(raw: &[u8], s: &Section) -> Option<Vec<u8>> {
    // BODY[]: the whole message, without parsing it.
    if s.part.is_empty() && !s.binary && s.text == SectionText::Full {
        return Some(raw.to_vec());
    }
    let loc = locate(raw, &s.part, 0)?;
    if s.binary {
        return Some(match (s.part.is_empty(), loc.decoded) {
            (false, Some(d)) => d,
            _ => slice(raw, loc.body.clone()).to_vec(),
        });
    }
    // HEADER/TEXT of a message/rfc822 part are those of the message inside.
    let inner = |loc: &Located| -> Option<Located> {
        if s.part.is_empty() || !loc.message {
            return None;
        }
        let body = slice(raw, loc.body.clone());
        let mut l = locate(body, &[], 0)?;
        l.header = l.header.start + loc.body.start..l.header.end + loc.body.start;
        l.body = l.body.start + loc.body.start..l.body.end + loc.body.start;
        Some(l)
    };
    Some(match &s.text {
        SectionText::Full if s.part.is_empty() => raw.to_vec(),
        SectionText::Full => slice(raw, loc.body).to_vec(),
        SectionText::Mime => slice(raw, loc.header).to_vec(),
        SectionText::Header => {
            let l = inner(&loc).unwrap_or(loc);
            slice(raw, l.header).to_vec()
        }
        SectionText::Text => {
            let l = inner(&loc).unwrap_or(loc);
            slice(raw, l.body).to_vec()
        }
        SectionText::HeaderFields { names, not } => {
            let l = inner(&loc).unwrap_or(loc);
            header_fields(slice(raw, l.header), names, *not)
        }
    })
}

/// The header fields named (or, with `not`, all others), with the blank line after them
/// (RFC 9051 §6.4.5).
fn header_fields(header: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keep = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if !matches!(line.first(), Some(b' ' | b'\t')) {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            let named = names
                .iter()
                .any(|n| n.as_bytes().eq_ignore_ascii_case(name.trim_ascii()));
            keep = named != not;
        }
        if keep {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &[u8] = b"From: A <a@x.test>\r\nSubject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--b--\r\n";

    fn sec(part: &[u32], text: SectionText) -> Section {
        Section {
            part: part.to_vec(),
            text,
            partial: None,
            peek: false,
            binary: false,
        }
    }

    #[test]
    fn sections_of_a_multipart_message() {
        let header = section(MULTI, &sec(&[], SectionText::Header)).unwrap_or_default();
        assert!(header.starts_with(b"From: A") && header.ends_with(b"b\r\n\r\n"));
        assert_eq!(
            section(MULTI, &sec(&[1], SectionText::Full)).as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            section(MULTI, &sec(&[2], SectionText::Full)).as_deref(),
            Some(&b"<p>two</p>"[..])
        );
        assert_eq!(
            section(MULTI, &sec(&[2], SectionText::Mime)).as_deref(),
            Some(&b"Content-Type: text/html\r\n\r\n"[..])
        );
        assert_eq!(section(MULTI, &sec(&[3], SectionText::Full)), None);
        let fields = SectionText::HeaderFields {
            names: vec!["subject".into()],
            not: false,
        };
        assert_eq!(
            section(MULTI, &sec(&[], fields)).as_deref(),
            Some(&b"Subject: hi\r\n\r\n"[..])
        );
    }

    #[test]
    fn bodystructure_of_a_multipart_message() {
        let msg = parse(MULTI).expect("parses");
        let mut out = Vec::new();
        crate::structure::body_structure(&mut out, &msg, MULTI, false, false);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0) \"mixed\")"
        );
        out.clear();
        crate::structure::body_structure(&mut out, &msg, MULTI, false, true);
        assert!(String::from_utf8_lossy(&out).ends_with(
            "\"7bit\" 10 0 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"
        ));
        let mut env = Vec::new();
        envelope(&mut env, &msg, false);
        assert_eq!(
            String::from_utf8_lossy(&env),
            "(NIL \"hi\" ((\"A\" NIL \"a\" \"x.test\")) ((\"A\" NIL \"a\" \"x.test\")) ((\"A\" NIL \"a\" \"x.test\")) NIL NIL NIL NIL NIL)"
        );
    }
}
