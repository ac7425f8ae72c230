//! BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, RFC 3501 §7.4.2), byte for byte as Dovecot 2.3
//! writes them: clients cache structures, and Thunderbird and Outlook read the disposition
//! to list attachments. Strings keep the case they have in the message; defaults are
//! lowercase (`"text" "plain"`, `"7bit"`); a text part without a charset gets
//! `"charset" "us-ascii"` after its other parameters (RFC 2045 §5.2).
//!
//! The output (and ENVELOPE's, `message.rs`) is stored: a change to it must raise
//! `op::summary::FORMAT`, or messages summarised before keep their old answer.
//!
//! BODYSTRUCTURE adds the extension data that BODY leaves out (RFC 9051 §7.5.2): for a
//! non-multipart part body MD5, disposition, language and location; for a multipart its
//! parameters, disposition, language and location.

use std::collections::HashSet;

use mail_parser::{Message, PartType};
use proto::imap::response::{nstring, string};

use crate::envelope::envelope;
use crate::message::parse;
use crate::mime::{Fields, Lexer, Param, fields};

/// Writes BODYSTRUCTURE (`extended`) or BODY.
pub(crate) fn body_structure(
    out: &mut Vec<u8>,
    msg: &Message,
    raw: &[u8],
    utf8: bool,
    extended: bool,
) {
    let w = Writer {
        utf8,
        extended,
        boundaries: proto::shape::boundaries(raw),
    };
    w.part(out, msg, raw, 0, false, 0);
}

/// Parts nested deeper than this (multiparts and encapsulated messages together) are shown
/// as plain text: each level is a recursion here and a parse of the encapsulated message.
const MAX_NESTING: usize = 16;

/// The structure written when the message is not parsed (no header, or past `shape`'s
/// limits): its body as one plain text part, as Dovecot shows what is past its MIME limits.
pub(crate) fn unparsed(out: &mut Vec<u8>, raw: &[u8], extended: bool) {
    let body = crate::message::body_of(raw);
    out.extend(
        format!(
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" {} {}",
            body.len(),
            lines(body)
        )
        .into_bytes(),
    );
    if extended {
        out.extend_from_slice(b" NIL NIL NIL NIL");
    }
    out.push(b')');
}

/// Line feeds in `body`, counted in byte-wide sums of at most 255 so that it vectorises.
fn lines(body: &[u8]) -> usize {
    body.chunks(255)
        .map(|c| usize::from(c.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>()))
        .sum()
}

/// Type, subtype and parameters of a Content-Type value, read as Dovecot 2.3 reads it: a type
/// alone is kept (subtype empty, parameters not read); a value that breaks the syntax after
/// that (`text/`, `/plain`, a quoted type, a missing `;`) gives an empty type and subtype,
/// which is neither text nor the default text/plain (RFC 2045 §5.2 asks for text/plain only
/// when the field is missing).
pub(crate) fn content_type(value: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<Param>) {
    let mut ct = Lexer::new(value);
    let ctype = ct.token().to_vec();
    if ctype.is_empty() {
        return Default::default();
    }
    if !ct.eat(b'/') {
        return (ctype, Vec::new(), Vec::new());
    }
    let subtype = ct.token().to_vec();
    if subtype.is_empty() || !ct.at_params() {
        return Default::default();
    }
    (ctype, subtype, ct.params())
}

struct Writer {
    utf8: bool,
    extended: bool,
    /// Every multipart boundary of the message, for [`crate::message::part_end`].
    boundaries: HashSet<Vec<u8>>,
}

impl Writer {
    fn string(&self, out: &mut Vec<u8>, s: &[u8]) {
        string(out, s, self.utf8);
    }

    fn nstring(&self, out: &mut Vec<u8>, s: Option<&[u8]>) {
        nstring(out, s, self.utf8);
    }

    /// `(name value ...)` or NIL (RFC 9051 §7.5.2 body-fld-param).
    fn params(&self, out: &mut Vec<u8>, params: &[Param]) {
        if params.is_empty() {
            out.extend_from_slice(b"NIL");
            return;
        }
        out.push(b'(');
        for (i, (name, value)) in params.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            self.string(out, name);
            out.push(b' ');
            self.string(out, value);
        }
        out.push(b')');
    }

    /// body-fld-dsp, body-fld-lang and body-fld-loc (RFC 9051 §7.5.2; RFC 2183 disposition,
    /// RFC 3282 language, RFC 2557 location), preceded by a space each.
    fn disposition_language_location(&self, out: &mut Vec<u8>, f: &Fields) {
        out.push(b' ');
        let mut dsp = Lexer::new(f.disposition.as_deref().unwrap_or_default());
        let kind = dsp.token();
        // A field with no type still gives one, empty, with its parameters, as Dovecot does.
        if f.disposition.is_none() {
            out.extend_from_slice(b"NIL");
        } else {
            out.push(b'(');
            self.string(out, kind);
            out.push(b' ');
            self.params(out, &dsp.params());
            out.push(b')');
        }
        out.push(b' ');
        let mut lang = Lexer::new(f.language.as_deref().unwrap_or_default());
        let mut tags = Vec::new();
        loop {
            let tag = lang.token();
            if tag.is_empty() {
                break;
            }
            tags.push(tag);
            if !lang.eat(b',') {
                break;
            }
        }
        if tags.is_empty() {
            out.extend_from_slice(b"NIL");
        } else {
            out.push(b'(');
            for (i, tag) in tags.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                self.string(out, tag);
            }
            out.push(b')');
        }
        out.push(b' ');
        self.nstring(out, f.location.as_deref());
    }

    /// One part; `digest`: the parent is multipart/digest, so the default type is
    /// message/rfc822 (RFC 2046 §5.1.5).
    fn part(
        &self,
        out: &mut Vec<u8>,
        msg: &Message,
        raw: &[u8],
        idx: usize,
        digest: bool,
        depth: usize,
    ) {
        let Some(part) = msg.parts.get(idx) else {
            out.extend_from_slice(b"NIL");
            return;
        };
        let header =
            crate::message::slice(raw, part.offset_header as usize..part.offset_body as usize);
        let f = fields(header);
        let start = part.offset_body as usize;
        let end = match idx {
            0 => part.offset_end as usize,
            _ => crate::message::part_end(raw, start..part.offset_end as usize, &self.boundaries),
        };
        let body = crate::message::slice(raw, start..end);
        let (ctype, subtype, params) = match f.content_type.as_deref() {
            Some(value) => content_type(value),
            None if digest => (b"message".to_vec(), b"rfc822".to_vec(), Vec::new()),
            None => (b"text".to_vec(), b"plain".to_vec(), Vec::new()),
        };
        let mut is_rfc822 = false;
        let rfc822 =
            ctype.eq_ignore_ascii_case(b"message") && subtype.eq_ignore_ascii_case(b"rfc822");
        // body-type-msg needs the encapsulated message's envelope and body: parsed here,
        // unless too deep (or it does not parse), when the part is shown as plain text.
        let inner = if rfc822 && depth < MAX_NESTING {
            parse(body)
        } else {
            None
        };
        let multipart = matches!(part.body, PartType::Multipart(_));
        let (ctype, subtype, params) =
            if (multipart && depth >= MAX_NESTING) || (rfc822 && inner.is_none()) {
                (b"text".to_vec(), b"plain".to_vec(), Vec::new())
            } else {
                is_rfc822 = rfc822;
                (ctype, subtype, params)
            };
        let ids = match &part.body {
            PartType::Multipart(ids) => ids.as_slice(),
            _ => &[],
        };
        // A multipart with no parts (no boundary, or none found) still has one: empty
        // text/plain, as Dovecot shows it (body-type-mpart needs at least one body).
        let partless = ids.is_empty() && ctype.eq_ignore_ascii_case(b"multipart");
        if (!ids.is_empty() || partless) && depth < MAX_NESTING {
            // RFC 9051 §7.5.2 body-type-mpart: the parts, then the subtype.
            out.push(b'(');
            let digest = subtype.eq_ignore_ascii_case(b"digest");
            for &id in ids {
                self.part(out, msg, raw, id as usize, digest, depth + 1);
            }
            if partless {
                out.extend_from_slice(
                    b"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0",
                );
                if self.extended {
                    out.extend_from_slice(b" NIL NIL NIL NIL");
                }
                out.push(b')');
            }
            out.push(b' ');
            self.string(out, &subtype);
            if self.extended {
                // body-ext-mpart: body-fld-param, then dsp, lang, loc.
                out.push(b' ');
                self.params(out, &params);
                self.disposition_language_location(out, &f);
            }
            out.push(b')');
            return;
        }
        let text = ctype.eq_ignore_ascii_case(b"text");
        out.push(b'(');
        self.string(out, &ctype);
        out.push(b' ');
        self.string(out, &subtype);
        out.push(b' ');
        // RFC 2045 §5.2: text without a charset is US-ASCII; Dovecot says so explicitly.
        let mut params = params;
        if text
            && !params
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(b"charset"))
        {
            params.push((b"charset".to_vec(), b"us-ascii".to_vec()));
        }
        self.params(out, &params);
        out.push(b' ');
        self.nstring(out, f.id.as_deref());
        out.push(b' ');
        self.nstring(out, f.description.as_deref());
        out.push(b' ');
        let encoding = f
            .encoding
            .as_deref()
            .map(|e| Lexer::new(e).token())
            .filter(|e| !e.is_empty());
        self.string(out, encoding.unwrap_or(b"7bit"));
        out.extend_from_slice(format!(" {}", body.len()).as_bytes());
        let lines = lines(body);
        if let Some(inner) = inner.as_ref().filter(|_| is_rfc822) {
            // body-type-msg: envelope, body of the encapsulated message, lines.
            out.push(b' ');
            envelope(out, body, self.utf8);
            out.push(b' ');
            self.part(out, inner, body, 0, false, depth + 1);
            out.extend_from_slice(format!(" {lines}").as_bytes());
        } else if text {
            out.extend_from_slice(format!(" {lines}").as_bytes());
        }
        if self.extended {
            // body-ext-1part: body-fld-md5, then dsp, lang, loc.
            out.push(b' ');
            self.nstring(out, f.md5.as_deref());
            self.disposition_language_location(out, &f);
        }
        out.push(b')');
    }
}
