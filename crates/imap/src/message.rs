//! What FETCH computes from a stored message with mail-parser: body sections (RFC 9051
//! §6.4.5) (ENVELOPE is in `envelope.rs`, BODYSTRUCTURE in `structure.rs`; SEARCH's texts
//! are in `op/search_text.rs`).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use mail_parser::{HeaderName, Message, MessageParser, PartType};
use proto::imap::{Section, SectionText};

/// One parser for the process: mail-parser's defaults, except that Received fields are
/// kept raw (IMAP never needs them parsed, and they are many and slow to parse).
///
/// A message past `shape`'s nesting and part limits is not parsed (`None`): callers show it
/// as one text part.
pub(crate) fn parse(raw: &[u8]) -> Option<Message<'_>> {
    if !proto::shape::parseable(raw) {
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

/// Where a part's body ends. The CRLF before a boundary line belongs to the boundary
/// (RFC 2046 §5.1.1), but when the line before it closes a nested multipart (`--inner--`)
/// that CRLF ends the closing line, and Dovecot counts it in the part: so do we, so that
/// sizes and sections match (an empty epilogue either way).
pub(crate) fn part_end(raw: &[u8], body: Range<usize>, boundaries: &HashSet<Vec<u8>>) -> usize {
    let end = body.end.min(raw.len());
    let content = &raw[body.start.min(end)..end];
    let last = content
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(content, |at| &content[at + 1..]);
    let closes = last
        .strip_prefix(b"--")
        .and_then(|l| l.strip_suffix(b"--"))
        .is_some_and(|b| boundaries.contains(&b.to_ascii_lowercase()));
    let rest = &raw[end..];
    match () {
        _ if !closes => end,
        _ if rest.starts_with(b"\r\n--") => end + 2,
        _ if rest.starts_with(b"\n--") => end + 1,
        _ => end,
    }
}

/// A part whose Content-Type is multipart but that has no parts (no boundary, or none found).
fn partless(raw: &[u8], part: &mail_parser::MessagePart) -> bool {
    let header = slice(raw, part.offset_header as usize..part.offset_body as usize);
    let ctype = crate::mime::fields(header).content_type.unwrap_or_default();
    let (ctype, _, _) = crate::structure::content_type(&ctype);
    ctype.eq_ignore_ascii_case(b"multipart")
}

/// RFC 9051 §6.4.5, as Dovecot walks it: a number picks a multipart's child, or must be 1
/// for a part that is not multipart (the part itself: `1` of a single-part message is its
/// body, `1.MIME` its header); the numbers after a message/rfc822 part's go into the
/// encapsulated message.
fn locate(raw: &[u8], path: &[u32], depth: usize, b: &HashSet<Vec<u8>>) -> Option<Located> {
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
        let current = msg.parts.get(idx)?;
        let has_parts = matches!(&current.body, PartType::Multipart(ids) if !ids.is_empty());
        // A multipart with no parts has one, empty (as BODYSTRUCTURE shows it).
        if !has_parts && n == 1 && k + 1 == path.len() && partless(raw, current) {
            let at = raw.len();
            return Some(Located {
                header: at..at,
                body: at..at,
                message: false,
                decoded: None,
            });
        }
        match &current.body {
            PartType::Multipart(ids) => {
                idx = *ids.get((n as usize).checked_sub(1)?)? as usize;
            }
            _ if n == 1 => {}
            _ => return None,
        }
        let part = msg.parts.get(idx)?;
        if k + 1 < path.len() && matches!(part.body, PartType::Message(_)) {
            if depth >= 16 {
                return None;
            }
            let start = part.offset_body as usize;
            let end = part_end(raw, start..part.offset_end as usize, b);
            let mut found = locate(slice(raw, start..end), &path[k + 1..], depth + 1, b)?;
            found.header = found.header.start + start..found.header.end + start;
            found.body = found.body.start + start..found.body.end + start;
            return Some(found);
        }
    }
    let part = msg.parts.get(idx)?;
    let message = matches!(part.body, PartType::Message(_));
    let decoded = match &part.body {
        PartType::Text(t) | PartType::Html(t) => Some(t.as_bytes().to_vec()),
        PartType::Binary(b) | PartType::InlineBinary(b) => Some(b.to_vec()),
        _ => None,
    };
    let body = part.offset_body as usize..part.offset_end as usize;
    let end = if idx == 0 {
        body.end
    } else {
        part_end(raw, body.clone(), b)
    };
    Some(Located {
        header: part.offset_header as usize..part.offset_body as usize,
        body: body.start..end,
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
    let boundaries = proto::shape::boundaries(raw);
    let loc = locate(raw, &s.part, 0, &boundaries)?;
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
        let mut l = locate(body, &[], 0, &boundaries)?;
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

/// The header fields named (or, with `not`, all others), with the blank line after them,
/// except for a message that has none (RFC 3501 §6.4.5: "the blank line is included in all
/// header fetches, except in the case of a message which has no body and no blank line").
/// Dovecot 2.3 adds one to HEADER.FIELDS there (not to HEADER.FIELDS.NOT); the RFC wins.
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
    let blank = [&b"\n\r\n"[..], b"\n\n"]
        .iter()
        .any(|e| header.ends_with(e))
        || header == b"\r\n"
        || header == b"\n";
    if blank {
        out.extend_from_slice(b"\r\n");
    }
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
    fn random_mime_shapes_give_sections_and_structures_without_panic() {
        // Pieces an outside sender can put together in any order.
        let pieces: [&[u8]; 9] = [
            b"Content-Type: multipart/mixed; boundary=b\r\n",
            b"Content-Type: message/rfc822\r\n",
            b"Content-Type: multipart/digest; boundary=c\r\n",
            b"\r\n",
            b"--b\r\n",
            b"--b--\r\n",
            b"--c\r\n",
            b"Subject: x\r\n",
            b"text",
        ];
        let mut seed = 0x9e37_79b9_u64;
        for _ in 0..3_000 {
            let mut raw = Vec::new();
            for _ in 0..(seed % 24) {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                raw.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let mut out = Vec::new();
            if let Some(msg) = parse(&raw) {
                crate::structure::body_structure(&mut out, &msg, &raw, false, true);
                let open = out.iter().filter(|&&b| b == b'(').count();
                let close = out.iter().filter(|&&b| b == b')').count();
                assert_eq!(open, close, "{}", raw.escape_ascii());
            }
            for path in [&[][..], &[1], &[1, 1], &[2, 1, 1], &[1, 2]] {
                for text in [SectionText::Full, SectionText::Mime, SectionText::Text] {
                    if let Some(data) = section(&raw, &sec(path, text)) {
                        assert!(data.len() <= raw.len());
                    }
                }
            }
        }
    }

    #[test]
    fn sections_number_through_encapsulated_messages_as_dovecot() {
        // The case: part 1 is message/rfc822 (RFC 9051 §6.4.5).
        let raw = b"Subject: fwd\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n\
            Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nHello world\r\n--o--\r\n";
        let get = |part: &[u32], text| section(raw, &sec(part, text)).unwrap_or_default();
        assert_eq!(
            get(&[1], SectionText::Full),
            b"Subject: in\r\n\r\nHello world"
        );
        assert_eq!(get(&[1, 1], SectionText::Full), b"Hello world");
        assert_eq!(get(&[1], SectionText::Header), b"Subject: in\r\n\r\n");
        assert_eq!(get(&[1], SectionText::Text), b"Hello world");
        assert_eq!(
            get(&[1], SectionText::Mime),
            b"Content-Type: message/rfc822\r\n\r\n"
        );
        // A single-part message: 1.MIME is the message's header; a message/rfc822 body's
        // parts continue from 1.
        let top = b"Subject: t\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\
            Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\na\r\n--x--\r\n";
        let get = |part: &[u32], text| section(top, &sec(part, text)).unwrap_or_default();
        assert!(get(&[1], SectionText::Mime).starts_with(b"Subject: t\r\n"));
        assert_eq!(get(&[1, 1], SectionText::Full), b"a");
        // A nested multipart closed right before its parent's boundary keeps that CRLF.
        let nested = b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\
            Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n--a--\r\n";
        let one = section(nested, &sec(&[1], SectionText::Full)).unwrap_or_default();
        assert!(one.ends_with(b"--b--\r\n"), "{}", one.escape_ascii());
        // A multipart whose boundary never comes: one empty part, as BODYSTRUCTURE says.
        let ghost = b"Content-Type: multipart/mixed; boundary=g\r\n\r\nno parts\r\n";
        assert_eq!(
            section(ghost, &sec(&[1], SectionText::Full)),
            Some(Vec::new())
        );
        assert_eq!(
            section(ghost, &sec(&[1], SectionText::Mime)),
            Some(Vec::new())
        );
        let mut out = Vec::new();
        let msg = parse(ghost).expect("parses");
        crate::structure::body_structure(&mut out, &msg, ghost, false, false);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) \"mixed\")"
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
        crate::envelope::envelope(&mut env, MULTI, false);
        assert_eq!(
            String::from_utf8_lossy(&env),
            "(NIL \"hi\" ((\"A\" NIL \"a\" \"x.test\")) ((\"A\" NIL \"a\" \"x.test\")) ((\"A\" NIL \"a\" \"x.test\")) NIL NIL NIL NIL NIL)"
        );
    }
}
