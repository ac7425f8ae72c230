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

use crate::address::{Address, parse_list};

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
                    f.addresses[at].extend(parse_list(&value));
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
