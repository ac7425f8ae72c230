//! The header fields this hop adds under its Received field (Authentication-Results,
//! X-Spam-Status from the inbound checks), and the forged ones it takes out: an
//! Authentication-Results field from outside that claims our host name (RFC 8601 §5: a
//! receiver "MUST remove or rename" it, or a client would trust results we never gave).
//!
//! Only the header section is edited, from the message's first bytes: the result replaces
//! the message's first `cut` bytes, in memory or in front of a spool file (never read
//! whole).

/// A new start for a message: `start` replaces its first `cut` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HeadEdit {
    pub start: Vec<u8>,
    pub cut: usize,
}

/// The edit of a message whose first bytes are `head` (`whole` when that is all of it):
/// `fields` (`Name: value`, no CRLF) added right below the first field, our Received
/// (RFC 8601 §5 places Authentication-Results with the trace fields of this hop), and the
/// Authentication-Results fields with `hostname` as their authserv-id removed.
pub(crate) fn edit_head(head: &[u8], whole: bool, fields: &[String], hostname: &str) -> HeadEdit {
    let first = first_field_end(head);
    // The header section's end (before the empty line), if `head` holds all of it; forged
    // fields are looked for only there.
    let end = match head.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(n) => (n + 2).max(first),
        None if whole => head.len(),
        None => first,
    };
    let added: usize = fields.iter().map(|f| f.len() + 2).sum();
    let mut start = Vec::with_capacity(end + added);
    start.extend_from_slice(&head[..first]);
    for field in fields {
        start.extend_from_slice(field.as_bytes());
        start.extend_from_slice(b"\r\n");
    }
    let mut at = first;
    while at < end {
        let next = field_end(head, at).min(end);
        if !claims_host(&head[at..next], hostname) {
            start.extend_from_slice(&head[at..next]);
        }
        at = next;
    }
    HeadEdit { start, cut: end }
}

/// Where the field starting at `at` ends: after its CRLF and folded lines (RFC 5322 §2.2.3);
/// the end of `head` if its last line is unfinished.
fn field_end(head: &[u8], mut at: usize) -> usize {
    while let Some(n) = head[at..].windows(2).position(|w| w == b"\r\n") {
        at += n + 2;
        if !matches!(head.get(at), Some(b' ' | b'\t')) {
            return at;
        }
    }
    head.len()
}

/// Where the first header field ends; 0 when there is no complete one.
fn first_field_end(message: &[u8]) -> usize {
    match field_end(message, 0) {
        n if n == message.len() && !message.ends_with(b"\r\n") => 0,
        n => n,
    }
}

/// Whether `field` is an Authentication-Results field whose authserv-id (RFC 8601 §2.2:
/// the first token of the value, after comments and white space) is `hostname`.
fn claims_host(field: &[u8], hostname: &str) -> bool {
    let Some(colon) = field.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = field[..colon].trim_ascii_end();
    if !name.eq_ignore_ascii_case(b"Authentication-Results") {
        return false;
    }
    let mut value = &field[colon + 1..];
    loop {
        value = value.trim_ascii_start();
        // CFWS (RFC 5322 §3.2.2): a comment before the authserv-id; nested ones too.
        if value.first() != Some(&b'(') {
            break;
        }
        let mut depth = 0usize;
        let mut end = value.len();
        for (i, &b) in value.iter().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        value = &value[end..];
    }
    let id_len = value
        .iter()
        .position(|&b| matches!(b, b';' | b'(' | b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(value.len());
    value[..id_len].eq_ignore_ascii_case(hostname.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "mx.example.test";

    fn edited(message: &str, whole: bool) -> String {
        let edit = edit_head(
            message.as_bytes(),
            whole,
            &["Authentication-Results: mx.example.test; spf=pass".to_string()],
            HOST,
        );
        let mut out = edit.start;
        out.extend_from_slice(&message.as_bytes()[edit.cut..]);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn fields_go_under_the_received_field_and_forged_results_are_removed() {
        let message = "Received: from a\r\n\tby b\r\nAuthentication-Results: MX.Example.Test;\r\n dkim=pass\r\nAuthentication-Results: (c) mx.example.test (x(y)); spf=pass\r\nAuthentication-Results: other.test; dkim=fail\r\nSubject: hi\r\n\r\nAuthentication-Results: mx.example.test; in the body\r\n";
        assert_eq!(
            edited(message, true),
            "Received: from a\r\n\tby b\r\nAuthentication-Results: mx.example.test; spf=pass\r\nAuthentication-Results: other.test; dkim=fail\r\nSubject: hi\r\n\r\nAuthentication-Results: mx.example.test; in the body\r\n"
        );
    }

    #[test]
    fn a_host_name_that_only_begins_like_ours_is_kept() {
        let message = "Received: x\r\nAuthentication-Results: mx.example.test.evil; none\r\n\r\n";
        assert!(edited(message, true).contains("mx.example.test.evil"));
    }

    #[test]
    fn a_header_section_longer_than_the_head_only_gets_the_fields() {
        let head = "Received: x\r\nAuthentication-Results: mx.example.test; forged\r\nX-Long: ";
        let edit = edit_head(head.as_bytes(), false, &["A: b".to_string()], HOST);
        assert_eq!(edit.cut, "Received: x\r\n".len());
        assert_eq!(edit.start, b"Received: x\r\nA: b\r\n");
    }

    #[test]
    fn a_message_without_body_is_edited_whole() {
        let message = "Received: x\r\nAuthentication-Results: mx.example.test; forged\r\n";
        assert_eq!(
            edited(message, true),
            "Received: x\r\nAuthentication-Results: mx.example.test; spf=pass\r\n"
        );
    }
}
