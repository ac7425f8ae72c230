//! The content fingerprint of a collected message: SHA-256 over the message as downloaded,
//! normalised so that the same stored message gives the same digest whether it came by POP3
//! RETR or IMAP `BODY.PEEK[]`, before or after the server rebuilt its state.
//!
//! Normalised, and only this:
//! - line ends: CRLF, LF (and a stray CR before the LF) are all one line end. POP3 is
//!   CRLF on the wire (RFC 1939 §3); IMAP literals are the server's bytes, which a server
//!   storing LF (Maildir, mbox) may or may not convert.
//! - trailing empty lines are dropped: a POP3 server adds a CRLF to a message that does not
//!   end in one before the terminating "." (RFC 1939 §3), IMAP does not.
//! - header fields that mailbox software writes into the message to hold its own state, not
//!   the message's: `Status`, `X-Status`, `X-Keywords`, `X-UID`, `X-UIDL`, `X-IMAP`,
//!   `X-IMAPbase`, `Content-Length` (UW imapd, qpopper, Dovecot and Courier on mbox write
//!   them, and change them when flags change, so they differ between two downloads).
//!
//! Everything else counts, trace headers included. That is deliberate: two deliveries of
//! one message at the ISP (a domain mailbox holding one copy per recipient, told apart by
//! Delivered-To; a resent message with a new Received) are two messages and must both
//! arrive. A Message-ID alone would merge them, and is missing from some mail. Two
//! messages with byte-identical content (less the fields above) are the same message.

use sha2::{Digest, Sha256};

/// Header fields holding the mailbox's state rather than the message's (lowercase).
const STATE_FIELDS: &[&str] = &[
    "status",
    "x-status",
    "x-keywords",
    "x-uid",
    "x-uidl",
    "x-imap",
    "x-imapbase",
    "content-length",
];

/// The header field name of `line`, lowercase, if it starts a field (RFC 5322 §2.2).
fn field_name(line: &[u8]) -> Option<String> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    (!name.is_empty() && name.iter().all(|&b| b.is_ascii_graphic() && b != b':'))
        .then(|| String::from_utf8_lossy(name).to_ascii_lowercase())
}

/// The fingerprint of `message` as downloaded (see the module docs).
pub(crate) fn fingerprint(message: &[u8]) -> [u8; 32] {
    let mut lines: Vec<&[u8]> = message
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .collect();
    while lines.last().is_some_and(|line| line.is_empty()) {
        lines.pop();
    }
    let mut hash = Sha256::new();
    let mut in_header = true;
    // Inside a dropped field: its continuation lines (RFC 5322 §2.2.3) are dropped too.
    let mut dropping = false;
    for line in lines {
        if in_header {
            if line.is_empty() {
                in_header = false;
            } else if line[0] == b' ' || line[0] == b'\t' {
                if dropping {
                    continue;
                }
            } else {
                dropping = field_name(line).is_some_and(|n| STATE_FIELDS.contains(&n.as_str()));
                if dropping {
                    continue;
                }
            }
        }
        hash.update(line);
        hash.update(b"\r\n");
    }
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    const MESSAGE: &[u8] = b"Received: from a by b; Fri, 27 Nov 2026 10:00:00 +0000\r\n\
        Subject: hi\r\n\
        \tthere\r\n\r\n.leading dot\r\nbody\r\n";

    #[test]
    fn line_ends_and_trailing_empty_lines_do_not_count() {
        let lf = String::from_utf8_lossy(MESSAGE).replace("\r\n", "\n");
        assert_eq!(fingerprint(MESSAGE), fingerprint(lf.as_bytes()));
        // Without the final line end (IMAP), and with one more (some POP3 servers).
        assert_eq!(
            fingerprint(MESSAGE),
            fingerprint(&MESSAGE[..MESSAGE.len() - 2])
        );
        assert_eq!(
            fingerprint(MESSAGE),
            fingerprint(&[MESSAGE, b"\r\n"].concat())
        );
    }

    #[test]
    fn mailbox_state_fields_do_not_count_but_everything_else_does() {
        let with_state = [
            b"Status: RO\r\nX-UIDL: 1234\r\nX-Keywords: $Seen\r\n  more\r\n".as_slice(),
            MESSAGE,
        ]
        .concat();
        assert_eq!(fingerprint(MESSAGE), fingerprint(&with_state));
        // The same field name in the body is content.
        let in_body = [MESSAGE, b"Status: RO\r\n"].concat();
        assert_ne!(fingerprint(MESSAGE), fingerprint(&in_body));
        // One copy per recipient at the ISP: two messages.
        let copy = [b"Delivered-To: bob@example.test\r\n".as_slice(), MESSAGE].concat();
        assert_ne!(fingerprint(MESSAGE), fingerprint(&copy));
        // A folded line is content (its continuation is not dropped with a field before it).
        let unfolded = String::from_utf8_lossy(MESSAGE).replace("hi\r\n\tthere", "hi there");
        assert_ne!(fingerprint(MESSAGE), fingerprint(unfolded.as_bytes()));
        assert_ne!(
            fingerprint(MESSAGE),
            fingerprint(b"Subject: hi\r\n\r\nbody\r\n")
        );
    }
}
