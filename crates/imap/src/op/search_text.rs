//! What SEARCH's text keys read in a message (RFC 9051 §6.4.4), as Dovecot 2.3 reads it
//! (the two are compared in tests/tests/it/imap/search_charset.rs):
//! - a header key (FROM, TO, CC, BCC, SUBJECT, HEADER name): the field's value with its
//!   encoded words decoded (RFC 2047), unfolded: display names and a group's name
//!   (`Cc: 财务部: a@x.test, b@y.test;`) are found, the encoded form (`=?GB2312?B?`) is not;
//! - BODY: the decoded text of every text part (HTML as it is), and of the messages attached
//!   as message/rfc822 parts, however deep the parser went;
//! - TEXT: every header field as `name: value` (so field names are found too), the body
//!   as BODY reads it, and the header fields of attached messages.

use mail_parser::parsers::MessageStream;
use mail_parser::{Header, HeaderValue, Message, PartType};

/// A field's value as written, encoded words decoded, folding removed.
fn value(msg: &Message, h: &Header) -> String {
    let raw = msg
        .raw_message
        .get(h.offset_start as usize..h.offset_end as usize)
        .unwrap_or_default();
    match MessageStream::new(raw).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        _ => String::new(),
    }
}

/// The values of every `name` field, a line each; `None` when the message has none. An
/// address field also gives each address as `mailbox@domain` on a line of its own, as
/// Dovecot searches the address it parsed: `<user (comment)@ (comment) domain.org>` is found
/// by `user@domain.org` (RFC 5322 §3.4.1 allows comments and spaces around its parts).
pub(crate) fn field(msg: &Message, name: &str) -> Option<String> {
    let address = ["from", "to", "cc", "bcc", "sender", "reply-to"]
        .iter()
        .any(|a| name.eq_ignore_ascii_case(a));
    let mut text = String::new();
    let mut found = false;
    for h in msg
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case(name))
    {
        found = true;
        text.push_str(&value(msg, h));
        text.push('\n');
        if address {
            let raw = msg
                .raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
                .unwrap_or_default();
            for a in crate::address::parse_list(raw) {
                if let (Some(mailbox), Some(domain)) = (a.mailbox, a.domain) {
                    text.push_str(&String::from_utf8_lossy(&mailbox));
                    text.push('@');
                    text.push_str(&String::from_utf8_lossy(&domain));
                    text.push('\n');
                }
            }
        }
    }
    found.then_some(text)
}

/// Every header field as `name: value` lines, in one pass (a message may carry tens of
/// thousands of fields).
fn header_lines(msg: &Message, text: &mut String) {
    for h in msg.headers() {
        text.push_str(h.name());
        text.push_str(": ");
        text.push_str(&value(msg, h));
        text.push('\n');
    }
}

/// BODY's text and the attached messages' header lines, collected in one walk of the
/// parts; nested messages are walked through their own parts (the parser bounds the depth).
fn walk(msg: &Message, body: &mut String, attached_headers: &mut String) {
    for part in &msg.parts {
        match &part.body {
            PartType::Text(text) | PartType::Html(text) => {
                body.push_str(text);
                body.push('\n');
            }
            PartType::Message(inner) => {
                header_lines(inner, attached_headers);
                walk(inner, body, attached_headers);
            }
            PartType::Binary(_) | PartType::InlineBinary(_) | PartType::Multipart(_) => {}
        }
    }
}

/// The message's texts for SEARCH, each lowercased once.
pub(crate) struct Texts {
    /// The message's own header lines and those of attached messages (TEXT).
    pub headers: String,
    /// BODY.
    pub body: String,
}

impl Texts {
    pub(crate) fn of(msg: &Message) -> Texts {
        let mut headers = String::new();
        header_lines(msg, &mut headers);
        let mut body = String::new();
        walk(msg, &mut body, &mut headers);
        Texts {
            headers: headers.to_lowercase(),
            body: body.to_lowercase(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &[u8]) -> Message<'_> {
        crate::message::parse(raw).expect("parses")
    }

    #[test]
    fn an_address_with_comments_is_found_as_mailbox_at_domain() {
        let msg = parse(b"From: <user-from (comment)@ (comment) domain.org>\r\n\r\nx\r\n");
        let from = field(&msg, "from").unwrap_or_default();
        assert!(from.contains("user-from@domain.org"), "{from:?}");
    }

    #[test]
    fn each_field_is_read_once() {
        // 50,000 fields: a pass per field over all fields was 2.5 billion comparisons.
        let mut raw = String::new();
        for i in 0..50_000 {
            raw.push_str(&format!("X-N: v{i}\r\n"));
        }
        raw.push_str("Subject: last\r\n\r\nbody\r\n");
        let msg = parse(raw.as_bytes());
        let texts = Texts::of(&msg);
        assert!(texts.headers.contains("x-n: v49999\n") && texts.headers.contains("last"));
        let n = field(&msg, "x-n").unwrap_or_default();
        assert!(n.starts_with("v0\n") && n.ends_with("v49999\n"));
        assert_eq!(field(&msg, "cc"), None);
    }

    #[test]
    fn a_group_name_and_encoded_words_are_read_decoded() {
        let raw = "Cc: =?UTF-8?B?6LSi5Yqh6YOo?=: c1@x.test,\r\n c2@y.test;\r\nSubject: =?GB2312?B?x+u82Q==?=\r\n\r\nbody\r\n";
        let msg = parse(raw.as_bytes());
        let cc = field(&msg, "cc").unwrap_or_default();
        assert!(
            cc.starts_with("财务部") && cc.contains("c1@x.test, c2@y.test;\nc1@x.test\n"),
            "{cc}"
        );
        assert_eq!(field(&msg, "SUBJECT").as_deref(), Some("请假\n"));
        assert_eq!(field(&msg, "to"), None);
        let texts = Texts::of(&msg);
        assert!(
            texts.headers.contains("subject: 请假\n"),
            "{}",
            texts.headers
        );
        assert!(!texts.headers.contains("=?gb2312?"), "{}", texts.headers);
    }

    #[test]
    fn an_attached_message_is_searched_its_header_by_text_only() {
        let raw = b"Subject: fwd\r\nContent-Type: multipart/mixed; boundary=bb\r\n\r\n--bb\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--bb\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@x.test\r\nSubject: Inner subject\r\n\r\nInnerBodyWord here\r\n--bb--\r\n";
        let msg = parse(raw);
        let texts = Texts::of(&msg);
        assert!(texts.body.contains("see attached"), "{}", texts.body);
        assert!(texts.body.contains("innerbodyword"), "{}", texts.body);
        assert!(!texts.body.contains("inner@x.test"), "{}", texts.body);
        assert!(
            texts.headers.contains("from: inner@x.test"),
            "{}",
            texts.headers
        );
        assert!(
            texts.headers.contains("subject: inner subject"),
            "{}",
            texts.headers
        );
        // SUBJECT reads the message's own field only.
        assert_eq!(field(&msg, "subject").as_deref(), Some("fwd\n"));
    }
}
