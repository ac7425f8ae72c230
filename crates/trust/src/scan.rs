//! One decoding of a message for the content rules and the classifier: mail-parser reads
//! the MIME structure and the transfer and charset encodings once, and what the checks look
//! at is taken from that: the subject, the author, the text (HTML turned into text), the
//! links with the text they show.

use std::net::IpAddr;

use mail_parser::{MessageParser, PartType};

/// How much decoded text the rules and the tokenizer read, whatever the message's size:
/// the CPU per message stays bounded.
const MAX_TEXT: usize = 256 * 1024;

/// How many links are looked at.
const MAX_LINKS: usize = 200;

/// A link: the host it goes to and what it shows the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// Lower case, without a port or brackets.
    pub host: String,
    /// The text of an HTML link (`<a href=...>text</a>`), tags removed.
    pub shown: Option<String>,
}

/// What the checks read of a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    pub subject: String,
    /// The first From: address's display name and address.
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub has_date: bool,
    pub has_message_id: bool,
    /// The text parts, and the HTML ones turned into text.
    pub text: String,
    /// HTML with no plain-text alternative.
    pub html_only: bool,
    /// The HTML hides text (`display:none`, `visibility:hidden`, a zero font size).
    pub hidden_html: bool,
    pub links: Vec<Link>,
    /// `X-Mailer` or `User-Agent`, for the classifier.
    pub mailer: Option<String>,
    /// Whether the body was read (not for a message over `[filter] max_scan_size`).
    pub body: bool,
    /// More nested messages or parts than any real mail has (`proto::shape`): not read.
    pub unreadable: bool,
}

impl Scan {
    /// Reads `bytes`; with `header_only` the body is left alone (a message larger than
    /// `[filter] max_scan_size`, of which `bytes` is only the start).
    pub(crate) fn parse(bytes: &[u8], header_only: bool) -> Scan {
        // Any sender chooses how parts nest: past these limits mail-parser's recursion
        // overflows the stack and ends the server (proto::shape), so it never sees them.
        if !proto::shape::parseable(bytes) {
            return Scan {
                unreadable: true,
                ..Scan::default()
            };
        }
        let Some(message) = MessageParser::default().parse(bytes) else {
            return Scan::default();
        };
        let from = message.from().and_then(|a| a.first());
        let mut scan = Scan {
            subject: message.subject().unwrap_or_default().to_string(),
            from_name: from.and_then(|a| a.name()).map(str::to_string),
            from_address: from
                .and_then(|a| a.address())
                .map(|a| a.trim().to_ascii_lowercase()),
            has_date: message.date().is_some(),
            has_message_id: message.message_id().is_some(),
            mailer: message
                .header_raw("X-Mailer")
                .or_else(|| message.header_raw("User-Agent"))
                .map(|m| m.trim().to_string()),
            ..Scan::default()
        };
        if header_only {
            return scan;
        }
        scan.body = true;
        let mut plain = false;
        for (i, part) in message.text_bodies().enumerate() {
            if matches!(part.body, PartType::Text(_)) {
                plain = true;
            }
            if let Some(text) = message.body_text(i) {
                push_bounded(&mut scan.text, &text);
            }
        }
        let mut html_seen = false;
        for part in message.html_bodies() {
            if let PartType::Html(html) = &part.body {
                html_seen = true;
                scan.hidden_html |= hides_text(html);
                html_links(html, &mut scan.links);
            }
        }
        scan.html_only = html_seen && !plain;
        if !scan.html_only {
            text_links(&scan.text, &mut scan.links);
        }
        scan
    }
}

fn push_bounded(text: &mut String, more: &str) {
    let room = MAX_TEXT.saturating_sub(text.len());
    let mut end = more.len().min(room);
    while !more.is_char_boundary(end) {
        end -= 1;
    }
    text.push_str(&more[..end]);
    text.push('\n');
}

/// CSS that hides text from the reader but not from a filter.
fn hides_text(html: &str) -> bool {
    let squeezed: String = html
        .chars()
        .take(MAX_TEXT)
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let zero_font = squeezed.match_indices("font-size:0").any(|(i, m)| {
        !squeezed[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c == '.' || c.is_ascii_digit())
    });
    squeezed.contains("display:none") || squeezed.contains("visibility:hidden") || zero_font
}

/// The host of a URL (`https://user@Host:443/path` → `host`), if it has one.
pub(crate) fn url_host(url: &str) -> Option<String> {
    let url = url.trim().trim_matches(['"', '\'']);
    let lower = url.to_ascii_lowercase();
    let rest = ["https://", "http://", "//"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .or_else(|| lower.starts_with("www.").then_some(lower.as_str()))?;
    let authority = rest.split(['/', '?', '#', '\\']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    let host = host.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_string())
}

/// Whether `host` is an address rather than a name: `192.0.2.1`, `[2001:db8::1]`, or the
/// single number browsers also read as an IPv4 address.
pub(crate) fn is_bare_ip(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok() || (host.len() >= 8 && host.chars().all(|c| c.is_ascii_digit()))
}

/// `<a href="...">text</a>` links of an HTML part.
fn html_links(html: &str, links: &mut Vec<Link>) {
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while links.len() < MAX_LINKS {
        let Some(start) = lower[at..].find("<a").map(|i| at + i) else {
            break;
        };
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        at = tag_end + 1;
        let tag = &html[start..tag_end];
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let Some(host) = url_host(&href) else {
            continue;
        };
        let close = lower[at..].find("</a").map_or(lower.len(), |i| at + i);
        let shown = strip_tags(&html[at..close]);
        links.push(Link {
            host,
            shown: (!shown.is_empty()).then_some(shown),
        });
        at = close;
    }
}

/// The value of attribute `name` in tag text `<a class=x href="...">`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| from + i) {
        from = i + name.len();
        let before_ok = i == 0 || lower[..i].ends_with(|c: char| c.is_whitespace());
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - rest.len() + 1;
        let value = tag[value_at..].trim_start();
        let (quote, body) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
            _ => (None, value),
        };
        let end = match quote {
            Some(q) => body.find(q).unwrap_or(body.len()),
            None => body.find(char::is_whitespace).unwrap_or(body.len()),
        };
        return Some(body[..end].to_string());
    }
    None
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars().take(1000) {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bare URLs in plain text.
fn text_links(text: &str, links: &mut Vec<Link>) {
    for (i, _) in text.match_indices("http") {
        if links.len() >= MAX_LINKS {
            break;
        }
        let end = text[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')'))
            .map_or(text.len(), |e| i + e);
        if let Some(host) = url_host(&text[i..end]) {
            links.push(Link { host, shown: None });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scan;

    /// 20,000 messages inside each other: mail-parser would overflow the stack (and end the
    /// server); the scan does not give it to mail-parser and says why.
    #[test]
    fn hostile_nesting_is_not_parsed_and_is_marked() {
        let mut m = String::from("From: x@outside.test\r\nSubject: rfc822\r\n");
        for _ in 0..20_000 {
            m.push_str("Content-Type: message/rfc822\r\n\r\n");
        }
        m.push_str("Subject: innermost\r\n\r\nbody\r\n");
        let scan = Scan::parse(m.as_bytes(), false);
        assert!(scan.unreadable && !scan.body);
        let reasons = crate::rules::check(&scan);
        assert!(
            reasons.iter().any(|r| r.rule == "MIME_UNREADABLE"),
            "{reasons:?}"
        );
    }
}
