//! The body of a multi-line response (RFC 1939 §3): dot-stuffed, ended by `CRLF.CRLF`,
//! written chunk by chunk so a large message is never held whole.

/// Streams a multi-line body. Feed it the message in chunks of any size with
/// [`Multiline::write`]; end with [`Multiline::finish`].
///
/// Each line starting with `.` gets one more `.` (RFC 1939 §3, byte-stuffing), whatever the
/// chunk boundaries. The bytes are otherwise copied exactly; a body that does not end with a
/// line break gets a CRLF before the terminating `.`.
#[derive(Debug, Clone)]
pub struct Multiline {
    /// Whether the next byte starts a line.
    at_line_start: bool,
    /// TOP's line limit, if any.
    top: Option<Top>,
}

/// TOP (RFC 1939 §7): the header, the blank line after it, then `body_lines` lines.
#[derive(Debug, Clone)]
struct Top {
    in_header: bool,
    /// Bytes of the current line so far, without its LF.
    line_len: usize,
    /// Whether the current line's first byte is CR (with `line_len == 1`: an empty line).
    first_cr: bool,
    body_lines: u32,
    done: bool,
}

impl Default for Multiline {
    fn default() -> Self {
        Self::new()
    }
}

impl Multiline {
    /// The whole body (RETR, LIST, UIDL, CAPA).
    pub fn new() -> Self {
        Multiline {
            at_line_start: true,
            top: None,
        }
    }

    /// The header and the first `body_lines` lines of the body (TOP).
    pub fn top(body_lines: u32) -> Self {
        Multiline {
            at_line_start: true,
            top: Some(Top {
                in_header: true,
                line_len: 0,
                first_cr: false,
                body_lines,
                done: false,
            }),
        }
    }

    /// Appends `chunk`, dot-stuffed, to `out`. Returns `false` once TOP has written all it
    /// needs: the rest of `chunk` and later chunks are ignored, and the caller may stop
    /// reading the message.
    pub fn write(&mut self, mut chunk: &[u8], out: &mut Vec<u8>) -> bool {
        while !chunk.is_empty() {
            if self.top.as_ref().is_some_and(|t| t.done) {
                return false;
            }
            if self.at_line_start && chunk[0] == b'.' {
                out.push(b'.');
            }
            let (segment, ends) = match chunk.iter().position(|&b| b == b'\n') {
                Some(lf) => (&chunk[..=lf], true),
                None => (chunk, false),
            };
            out.extend_from_slice(segment);
            if let Some(top) = self.top.as_mut() {
                top.observe(segment, ends);
            }
            self.at_line_start = ends;
            chunk = &chunk[segment.len()..];
        }
        !self.top.as_ref().is_some_and(|t| t.done)
    }

    /// Ends the body: a CRLF if the last line was not ended, then `.CRLF`.
    pub fn finish(self, out: &mut Vec<u8>) {
        if !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }

    /// The whole wire form of `body` written in chunks of `chunk` bytes (at least 1): what
    /// the unit tests and the fuzz target (`fuzz/fuzz_targets/pop3_session.rs`) compare
    /// against a body streamed any other way.
    #[doc(hidden)]
    pub fn encode_in_chunks(mut self, body: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in body.chunks(chunk.max(1)) {
            if !self.write(piece, &mut out) {
                break;
            }
        }
        self.finish(&mut out);
        out
    }
}

impl Top {
    /// Accounts for one piece of a line (`ends`: it includes the line's LF).
    fn observe(&mut self, segment: &[u8], ends: bool) {
        let content = if ends {
            &segment[..segment.len() - 1]
        } else {
            segment
        };
        if self.line_len == 0
            && let Some(&first) = content.first()
        {
            self.first_cr = first == b'\r';
        }
        self.line_len += content.len();
        if !ends {
            return;
        }
        let empty = self.line_len == 0 || (self.line_len == 1 && self.first_cr);
        self.line_len = 0;
        if self.in_header {
            // RFC 5322 §2.1: the first empty line ends the header.
            self.in_header = !empty;
        } else {
            self.body_lines = self.body_lines.saturating_sub(1);
        }
        if !self.in_header && self.body_lines == 0 {
            self.done = true;
        }
    }
}

/// Writes `first` and then `lines` as one multi-line response (LIST, UIDL, CAPA, AUTH).
/// Each line gets CRLF; lines are dot-stuffed like any body.
pub fn write_lines<I, L>(first: &super::Reply, lines: I, out: &mut Vec<u8>)
where
    I: IntoIterator<Item = L>,
    L: AsRef<[u8]>,
{
    first.write_to(out);
    let mut body = Multiline::new();
    for line in lines {
        body.write(line.as_ref(), out);
        body.write(b"\r\n", out);
    }
    body.finish(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::{DataDecoder, DataStatus};
    use proptest::prelude::*;

    #[test]
    fn stuffs_dots_at_line_starts_only_table() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b".\r\n"),
            (b"a\r\n", b"a\r\n.\r\n"),
            (b"a", b"a\r\n.\r\n"),
            (b".\r\n", b"..\r\n.\r\n"),
            (b"..x\r\n", b"...x\r\n.\r\n"),
            (b"a.b\r\n.c\r\n", b"a.b\r\n..c\r\n.\r\n"),
            (b"x\r\n.", b"x\r\n..\r\n.\r\n"),
            (b"\r\n.\r\n\r\n", b"\r\n..\r\n\r\n.\r\n"),
        ];
        for (body, want) in cases {
            for size in 1..=body.len().max(1) {
                assert_eq!(
                    Multiline::new().encode_in_chunks(body, size),
                    *want,
                    "{body:?} in chunks of {size}"
                );
            }
        }
    }

    #[test]
    fn top_stops_after_the_header_and_n_body_lines_table() {
        let msg: &[u8] = b"Subject: a\r\nX: b\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n";
        let cases: &[(u32, &[u8])] = &[
            (0, b"Subject: a\r\nX: b\r\n\r\n.\r\n"),
            (1, b"Subject: a\r\nX: b\r\n\r\nline 1\r\n.\r\n"),
            (2, b"Subject: a\r\nX: b\r\n\r\nline 1\r\n..line 2\r\n.\r\n"),
            (
                3,
                b"Subject: a\r\nX: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n",
            ),
            (
                9,
                b"Subject: a\r\nX: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n",
            ),
        ];
        for (n, want) in cases {
            for size in 1..=msg.len() {
                assert_eq!(
                    Multiline::top(*n).encode_in_chunks(msg, size),
                    *want,
                    "TOP {n} in chunks of {size}"
                );
            }
        }
        // No body at all: the whole header.
        assert_eq!(
            Multiline::top(5).encode_in_chunks(b"A: b\r\n", 2),
            b"A: b\r\n.\r\n"
        );
        // A header line holding a lone CR is not the empty line.
        assert_eq!(
            Multiline::top(0).encode_in_chunks(b"A: b\r\n\r\r\n\r\nbody\r\n", 3),
            b"A: b\r\n\r\r\n\r\n.\r\n"
        );
    }

    #[test]
    fn top_reports_when_it_needs_no_more_input() {
        let mut top = Multiline::top(1);
        let mut out = Vec::new();
        assert!(top.write(b"A: b\r\n\r\n", &mut out));
        assert!(!top.write(b"one\r\ntwo\r\n", &mut out));
        assert!(!top.write(b"three\r\n", &mut out));
        top.finish(&mut out);
        assert_eq!(out, b"A: b\r\n\r\none\r\n.\r\n");
    }

    #[test]
    fn write_lines_makes_a_multi_line_response() {
        let mut out = Vec::new();
        write_lines(
            &super::super::Reply::ok("2 messages"),
            ["1 120", "2 200"],
            &mut out,
        );
        assert_eq!(out, b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
    }

    /// A message as SMTP stores it: lines of printable bytes and dots, CRLF-ended.
    fn message() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec("[.a-z ]{0,6}", 0..12).prop_map(|lines| {
            lines
                .iter()
                .flat_map(|l| l.bytes().chain(*b"\r\n"))
                .collect()
        })
    }

    proptest! {
        /// Stuffing then SMTP's unstuffing (an independent decoder) gives the message back,
        /// whatever the chunk size.
        #[test]
        fn stuffed_body_decodes_to_the_message(body in message(), size in 1usize..9) {
            let wire = Multiline::new().encode_in_chunks(&body, size);
            let mut decoded = Vec::new();
            let (used, status) = DataDecoder::new(1 << 20).feed(&wire, &mut decoded);
            prop_assert_eq!(status, DataStatus::Complete { bare_cr: false, oversized: false });
            prop_assert_eq!(used, wire.len());
            prop_assert_eq!(decoded, body);
        }

        /// TOP's output is a prefix of RETR's, cut at a line end.
        #[test]
        fn top_is_a_line_prefix_of_retr(body in message(), n in 0u32..5, size in 1usize..9) {
            let retr = Multiline::new().encode_in_chunks(&body, size);
            let top = Multiline::top(n).encode_in_chunks(&body, size);
            let head = &top[..top.len() - 3];
            prop_assert!(retr.starts_with(head));
            prop_assert!(head.is_empty() || head.ends_with(b"\r\n"));
        }
    }
}
