//! What SORT and THREAD read from a message's header (RFC 5256 §2): the base subject
//! (§2.1), the sent date (§2.2), the first addresses, Message-ID, References, In-Reply-To.

use mail_parser::{Address, HeaderValue, MessageParser};
use store::MessageMeta;

use super::cpu;
use super::search::{SearchError, batches};
use crate::session::Session;

/// The most References (the last ones, nearest the message) THREAD uses per message: an
/// outside sender writes the field, and threading work grows with it. A reply chain deeper
/// than this still threads, each message hanging under its nearest known ancestors.
pub(crate) const MAX_REFERENCES: usize = 100;

/// One message's sort and thread fields.
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields {
    /// The base subject, case-folded for comparison (RFC 5256 §2.1, i;unicode-casemap).
    pub subject: String,
    /// The subject extraction removed a reply or forward marker (RFC 5256 §2.1).
    pub reply: bool,
    /// RFC 5256 §2.2: the Date header in UTC, else the internal date.
    pub sent: i64,
    /// The first From / To / Cc: (display name, addr-spec), both may be empty.
    pub from: (String, String),
    pub to: (String, String),
    pub cc: (String, String),
    pub message_id: Option<String>,
    /// References, or else the first In-Reply-To (RFC 5256 §3 REFERENCES step 1).
    pub references: Vec<String>,
}

/// The header of a message: up to the blank line (parsing the body is not needed).
fn header_of(raw: &[u8]) -> &[u8] {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2));
    &raw[..end.unwrap_or(raw.len())]
}

fn first_address(addr: Option<&Address>) -> (String, String) {
    // A group comes first as its name, as the ENVELOPE's group start (RFC 3501 §7.4.2) with
    // the name as its mailbox: SORT (CC) and DISPLAYTO order by it, as Dovecot does.
    if let Some(Address::Group(groups)) = addr
        && let Some(name) = groups
            .first()
            .and_then(|g| g.name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
    {
        return (String::new(), name.to_string());
    }
    let Some(a) = addr.and_then(Address::first) else {
        return Default::default();
    };
    (
        a.name.as_deref().unwrap_or("").trim().to_string(),
        a.address.as_deref().unwrap_or("").trim().to_string(),
    )
}

fn ids(v: &HeaderValue) -> Vec<String> {
    v.as_text_list()
        .map(|l| {
            l.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

impl Fields {
    pub fn of(raw: &[u8], meta: &MessageMeta) -> Fields {
        let Some(msg) = MessageParser::default().parse_headers(header_of(raw)) else {
            return Fields {
                sent: meta.internal_date,
                ..Fields::default()
            };
        };
        let (subject, reply) = base_subject(msg.subject().unwrap_or(""));
        let mut references = ids(msg.references());
        references.drain(..references.len().saturating_sub(MAX_REFERENCES));
        if references.is_empty() {
            references = ids(msg.in_reply_to()).into_iter().take(1).collect();
        }
        Fields {
            subject,
            reply,
            sent: msg
                .date()
                .filter(|d| d.is_valid())
                .map_or(meta.internal_date, |d| d.to_timestamp()),
            from: first_address(msg.from()),
            to: first_address(msg.to()),
            cc: first_address(msg.cc()),
            message_id: msg
                .message_id()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            references,
        }
    }
}

impl Session {
    /// The fields of the selected messages at `indexes`, in that order: bodies read here,
    /// parsed batch by batch on the blocking pool (`cpu.rs`).
    pub(crate) async fn fields(&self, indexes: &[usize]) -> Result<Vec<Fields>, SearchError> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(indexes.len());
        for chunk in batches(&sel.messages, indexes) {
            let uids = chunk.iter().map(|&i| sel.messages[i].uid).collect();
            let bodies = self.ctx.store.read_messages(sel.id, uids).await?;
            let items: Vec<(MessageMeta, Option<Vec<u8>>)> = chunk
                .iter()
                .zip(bodies)
                .map(|(&i, raw)| (sel.messages[i].clone(), raw))
                .collect();
            let fields = cpu::run(move || {
                items
                    .iter()
                    // A message expunged meanwhile sorts as an empty one.
                    .map(|(meta, raw)| Fields::of(raw.as_deref().unwrap_or(b""), meta))
                    .collect::<Vec<Fields>>()
            })
            .await?;
            out.extend(fields);
        }
        Ok(out)
    }
}

/// RFC 5256 §2.1: the base subject, case-folded, and whether a reply or forward marker
/// (`Re:`, `Fwd:`, a `(fwd)` trailer, a `[fwd: ...]` wrapper) was removed.
pub(crate) fn base_subject(subject: &str) -> (String, bool) {
    // (1) Encoded words are decoded by the parser; tabs and folding become one space each,
    // runs of spaces one space.
    let mut s = String::with_capacity(subject.len());
    for c in subject.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if !(c == ' ' && s.ends_with(' ')) {
            s.push(c);
        }
    }
    // Every step below narrows one slice of `s`; nothing is copied until the end, so a
    // subject of a million `Re:` or `[x]` costs one pass, not one copy per marker.
    let mut t: &str = &s;
    let mut reply = false;
    loop {
        // (2) subj-trailer = "(fwd)" / WSP, as often as it occurs.
        loop {
            if let Some(rest) = t.strip_suffix(' ') {
                t = rest;
            } else if t.len() >= 5
                && t.is_char_boundary(t.len() - 5)
                && t[t.len() - 5..].eq_ignore_ascii_case("(fwd)")
            {
                t = &t[..t.len() - 5];
                reply = true;
            } else {
                break;
            }
        }
        // (3)-(5) leaders and blobs, until neither matches.
        loop {
            if let Some(rest) = t.strip_prefix(' ') {
                t = rest;
            } else if let Some(rest) = strip_refwd(t) {
                t = rest;
                reply = true;
            } else {
                // (4) Leading blobs go while something is left after them. No subj-refwd
                // follows any of them (strip_refwd looked past them all), so once they are
                // gone neither rule matches again.
                while let Some(rest) = strip_blob(t).filter(|r| !r.trim().is_empty()) {
                    t = rest;
                }
                break;
            }
        }
        // (6) `[fwd:` subject `]`: unwrap and start again from (2).
        if t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("[fwd:")) && t.ends_with(']') {
            t = &t[5..t.len() - 1];
            reply = true;
            continue;
        }
        break;
    }
    (t.to_uppercase(), reply)
}

/// `subj-blob = "[" *BLOBCHAR "]" *WSP`: the rest after it.
fn strip_blob(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find([']', '['])?;
    if inner.as_bytes()[end] != b']' {
        return None;
    }
    Some(inner[end + 1..].trim_start_matches(' '))
}

/// `*subj-blob subj-refwd`, `subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"`: the
/// rest after it.
fn strip_refwd(s: &str) -> Option<&str> {
    let mut rest = s;
    while let Some(r) = strip_blob(rest) {
        rest = r;
    }
    let lower = rest.get(..3).unwrap_or(rest).to_ascii_lowercase();
    let n = if lower.starts_with("fwd") {
        3
    } else if lower.starts_with("re") || lower.starts_with("fw") {
        2
    } else {
        return None;
    };
    let mut rest = rest[n..].trim_start_matches(' ');
    if let Some(r) = strip_blob(rest) {
        rest = r;
    }
    rest.strip_prefix(':')
}

#[cfg(test)]
mod tests {
    use super::base_subject;

    #[test]
    fn hostile_subjects_take_one_pass() {
        // Each marker used to cost a copy of the rest: a million of them, a million copies.
        let many = "Re: ".repeat(250_000) + "Hello";
        assert_eq!(base_subject(&many), ("HELLO".to_string(), true));
        let blobs = "[x]".repeat(300_000) + " Hello";
        assert_eq!(base_subject(&blobs), ("HELLO".to_string(), false));
        let blobs_only = "[x]".repeat(300_000);
        assert_eq!(base_subject(&blobs_only), ("[X]".to_string(), false));
        let wrapped = "[fwd:".repeat(100_000) + "Hello" + &"]".repeat(100_000);
        assert_eq!(base_subject(&wrapped), ("HELLO".to_string(), true));
    }

    #[test]
    fn base_subjects_follow_rfc_5256_section_2_1() {
        let cases = [
            ("Hello", "HELLO", false),
            ("Re: Hello", "HELLO", true),
            ("RE: re:  Fwd:Hello  ", "HELLO", true),
            ("Re[2]: Hello", "HELLO", true),
            ("[list] Re: Hello", "HELLO", true),
            ("[list] Hello", "HELLO", false),
            ("Hello (fwd)", "HELLO", true),
            ("[Fwd: Re: Hello]", "HELLO", true),
            ("[only a blob]", "[ONLY A BLOB]", false),
            ("Re:", "", true),
            ("Reply to all", "REPLY TO ALL", false),
            ("Re: 会议\t通知", "会议 通知", true),
            ("", "", false),
        ];
        for (subject, base, reply) in cases {
            assert_eq!(
                base_subject(subject),
                (base.to_string(), reply),
                "{subject}"
            );
        }
    }
}
