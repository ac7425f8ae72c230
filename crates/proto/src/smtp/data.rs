//! The DATA body decoder (RFC 5321 §4.1.1.4, §4.5.2).

/// What [`DataDecoder::feed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataStatus {
    /// All input consumed; the terminating `CRLF.CRLF` has not been seen yet.
    Incomplete,
    /// The terminator was seen. `consumed` in the return of `feed` stops right after it; any
    /// bytes after it belong to the next command (PIPELINING).
    Complete {
        /// A bare CR (one not followed by LF) appeared in the body. The message must be
        /// refused: no sender uses CR alone as a line end, and kept in a stored message it is
        /// the raw material of SMTP smuggling for the next server. (A bare LF is not flagged:
        /// it is written as CRLF, see [`DataDecoder`].)
        bare_cr: bool,
        /// The body exceeded the limit; `out` was truncated at the limit.
        oversized: bool,
    },
}

/// Where the decoder is relative to the line structure. A CRLF or a bare LF ends a line, but
/// the terminator is recognised only as CRLF "." CRLF (RFC 5321 §4.1.1.4), never with a bare
/// CR or LF on either side (SMTP smuggling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a line: after a CRLF, or at the start of the body (the CRLF that ended
    /// the DATA command counts as the first one). `after_lf`: the previous line ended with a
    /// bare LF, so a "." CRLF line here is not the terminator.
    LineStart { after_lf: bool },
    /// Inside a line.
    Text,
    /// After a CR inside a line (already written to `out`).
    Cr,
    /// After a "." at the start of a line (not written: it is either stuffing or the
    /// terminator).
    Dot { after_lf: bool },
    /// After "." CR at the start of a line (neither written yet).
    DotCr { after_lf: bool },
}

/// Incremental DATA decoder: end of data only at CRLF.CRLF, dot-unstuffing, bare LF written
/// as CRLF, bare CR flagged.
///
/// Bare LF line ends (curl's `--upload-file` of a text file, copiers, PHP mailers) are taken
/// as Postfix's `smtpd_forbid_bare_newline = normalize` takes them: the line is stored with
/// CRLF and its leading dot is unstuffed like any line's, but only CRLF "." CRLF ends the
/// data, so `\n.\n`, `\n.\r\n` and `\r\n.\n` are text and no message can be split. A bare
/// CR is left as text and flagged (Postfix keeps it as text too; we refuse the message).
///
/// Input may be split at any byte; the state carries across calls. After `Complete` the
/// decoder is reset and can decode another body.
#[derive(Debug, Clone)]
pub struct DataDecoder {
    limit: usize,
    state: State,
    /// Body bytes appended to `out` so far (at most `limit`).
    written: usize,
    bare_cr: bool,
    oversized: bool,
}

impl DataDecoder {
    /// A decoder that appends at most `limit` body bytes to `out` (it keeps scanning for the
    /// terminator beyond the limit without storing).
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            state: State::LineStart { after_lf: false },
            written: 0,
            bare_cr: false,
            oversized: false,
        }
    }

    /// Feeds input; appends the unstuffed body (with its CRLFs, without the final `.CRLF`) to
    /// `out`. Returns how many bytes of `input` were consumed and the status.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, DataStatus) {
        let mut i = 0;
        while let Some(&b) = input.get(i) {
            match self.state {
                State::Text => {
                    // Hot path: copy the run up to the next CR or LF in one go.
                    let rest = &input[i..];
                    let Some(n) = rest.iter().position(|&c| c == b'\r' || c == b'\n') else {
                        self.emit(out, rest);
                        return (input.len(), DataStatus::Incomplete);
                    };
                    match (rest[n], rest.get(n + 1)) {
                        (b'\r', Some(b'\n')) => {
                            self.emit(out, &rest[..n + 2]);
                            self.state = State::LineStart { after_lf: false };
                            i += n + 2;
                        }
                        (b'\r', _) => {
                            self.emit(out, &rest[..n + 1]);
                            self.state = State::Cr;
                            i += n + 1;
                        }
                        _ => {
                            // Bare LF: the line is stored with CRLF (RFC 5322 §2.3).
                            self.emit(out, &rest[..n]);
                            self.emit(out, b"\r\n");
                            self.state = State::LineStart { after_lf: true };
                            i += n + 1;
                        }
                    }
                }
                State::Cr => {
                    if b == b'\n' {
                        self.emit(out, b"\n");
                        self.state = State::LineStart { after_lf: false };
                        i += 1;
                    } else {
                        // The CR already written was bare; `b` is looked at again as text.
                        self.bare_cr = true;
                        self.state = State::Text;
                    }
                }
                State::LineStart { after_lf } => {
                    if b == b'.' {
                        self.state = State::Dot { after_lf };
                        i += 1;
                    } else {
                        self.state = State::Text;
                    }
                }
                State::Dot { after_lf } => {
                    if b == b'\r' {
                        self.state = State::DotCr { after_lf };
                        i += 1;
                    } else {
                        // RFC 5321 §4.5.2: the leading dot was stuffing; drop it.
                        self.state = State::Text;
                    }
                }
                State::DotCr { after_lf } => {
                    if b == b'\n' && !after_lf {
                        let status = DataStatus::Complete {
                            bare_cr: self.bare_cr,
                            oversized: self.oversized,
                        };
                        *self = Self::new(self.limit);
                        return (i + 1, status);
                    }
                    if b == b'\n' {
                        // LF "." CRLF: not the terminator (smuggling); a line of one
                        // stuffed dot, which is empty.
                        self.emit(out, b"\r\n");
                        self.state = State::LineStart { after_lf: false };
                        i += 1;
                        continue;
                    }
                    // "." then a bare CR: the dot was stuffing, the CR is text.
                    self.bare_cr = true;
                    self.emit(out, b"\r");
                    self.state = State::Text;
                }
            }
        }
        (input.len(), DataStatus::Incomplete)
    }

    /// Appends body bytes up to the limit; past it, only remembers that something was dropped.
    fn emit(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        let room = self.limit - self.written;
        if bytes.len() <= room {
            out.extend_from_slice(bytes);
            self.written += bytes.len();
        } else {
            out.extend_from_slice(&bytes[..room]);
            self.written = self.limit;
            self.oversized = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Feeds `input` in the given pieces, stopping at `Complete` like a session does.
    fn decode_split(limit: usize, input: &[u8], cuts: &[usize]) -> (Vec<u8>, usize, DataStatus) {
        let mut d = DataDecoder::new(limit);
        let mut out = Vec::new();
        let mut pos = 0;
        let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
        bounds.sort_unstable();
        bounds.push(input.len());
        for end in bounds {
            if end < pos {
                continue;
            }
            let (n, status) = d.feed(&input[pos..end], &mut out);
            pos += n;
            if status != DataStatus::Incomplete {
                return (out, pos, status);
            }
            assert_eq!(pos, end, "Incomplete must consume everything");
        }
        (out, pos, DataStatus::Incomplete)
    }

    fn decode(limit: usize, input: &[u8]) -> (Vec<u8>, usize, DataStatus) {
        decode_split(limit, input, &[])
    }

    /// The rules written out naively, straight from RFC 5321 §4.1.1.4 and §4.5.2 with bare
    /// LF taken as Postfix's `normalize` takes it: a line ends at CRLF or at a bare LF and is
    /// stored with CRLF; one leading dot is dropped; the data ends at the first line that is
    /// "." CRLF after a line that ended with CRLF (or at the start).
    fn reference(limit: usize, input: &[u8]) -> (Vec<u8>, usize, DataStatus) {
        let mut out = Vec::new();
        let mut bare = false;
        let mut after_lf = false;
        let mut at = 0;
        for line in input.split_inclusive(|&b| b == b'\n') {
            let complete = line.ends_with(b"\n");
            if line == b".\r\n" && !after_lf {
                let oversized = out.len() > limit;
                out.truncate(limit);
                return (out, at + 3, done(bare, oversized));
            }
            let mut text = line.strip_suffix(b"\n").unwrap_or(line);
            let crlf = complete && text.ends_with(b"\r");
            if crlf {
                text = &text[..text.len() - 1];
            }
            // While incomplete, a "." CR at the start of the last line is held back: it may
            // yet be the terminator.
            if !complete && text == b".\r" {
                text = b".";
            }
            let text = text.strip_prefix(b".").unwrap_or(text);
            // A CR at the very end of the input may still be followed by LF.
            let cr_inside = if complete {
                text
            } else {
                text.strip_suffix(b"\r").unwrap_or(text)
            };
            bare |= cr_inside.contains(&b'\r');
            out.extend_from_slice(text);
            if complete {
                out.extend_from_slice(b"\r\n");
            }
            after_lf = complete && !crlf;
            at += line.len();
        }
        out.truncate(limit);
        (out, input.len(), DataStatus::Incomplete)
    }

    fn done(bare: bool, oversized: bool) -> DataStatus {
        DataStatus::Complete {
            bare_cr: bare,
            oversized,
        }
    }

    /// Each case: input, body, consumed, status. Every case is also fed split at every byte.
    fn cases() -> Vec<(&'static [u8], &'static [u8], usize, DataStatus)> {
        let inc = DataStatus::Incomplete;
        vec![
            // Empty message: the DATA line's CRLF starts the first line.
            (b".\r\n", b"", 3, done(false, false)),
            (b"a\r\n.\r\n", b"a\r\n", 6, done(false, false)),
            (
                b"a\r\nb\r\n.\r\nNOOP\r\n",
                b"a\r\nb\r\n",
                9,
                done(false, false),
            ),
            (b"\r\n.\r\n", b"\r\n", 5, done(false, false)),
            // RFC 5321 §4.5.2: one leading dot removed.
            (b"..\r\n.\r\n", b".\r\n", 7, done(false, false)),
            (
                b"..x\r\n...\r\n.\r\n",
                b".x\r\n..\r\n",
                13,
                done(false, false),
            ),
            (b".x\r\n.\r\n", b"x\r\n", 7, done(false, false)),
            (b"a.b\r\n.\r\n", b"a.b\r\n", 8, done(false, false)),
            // Not a terminator: ". " or ".." lines.
            (b". \r\n.\r\n", b" \r\n", 7, done(false, false)),
            (b"a\r\n", b"a\r\n", 3, inc),
            (b"a\r\n.", b"a\r\n", 4, inc),
            (b"a\r\n.\r", b"a\r\n", 5, inc),
            (b"", b"", 0, inc),
            // SMTP smuggling: none of these end the data. A bare LF ends a line (written as
            // CRLF, its leading dot unstuffed), a bare CR is text and flagged.
            (
                b"a\n.\nb\r\n.\r\n",
                b"a\r\n\r\nb\r\n",
                10,
                done(false, false),
            ),
            (b"a\r.\rb\r\n.\r\n", b"a\r.\rb\r\n", 10, done(true, false)),
            (
                b"a\r\n.\nb\r\n.\r\n",
                b"a\r\n\r\nb\r\n",
                11,
                done(false, false),
            ),
            (
                b"a\n.\r\nb\r\n.\r\n",
                b"a\r\n\r\nb\r\n",
                11,
                done(false, false),
            ),
            (
                b"a\r\n.\rb\r\n.\r\n",
                b"a\r\n\rb\r\n",
                11,
                done(true, false),
            ),
            (
                b"a\r.\r\nb\r\n.\r\n",
                b"a\r.\r\nb\r\n",
                11,
                done(true, false),
            ),
            (b"\n.\n", b"\r\n\r\n", 3, inc),
            (b".\n.\r\n", b"\r\n\r\n", 5, inc),
            (b".\r.\r\n", b"\r.\r\n", 5, inc),
            (b".\r\r\n.\r\n", b"\r\r\n", 7, done(true, false)),
            (b"x\r\r\n.\r\n", b"x\r\r\n", 7, done(true, false)),
            // LF-only text (curl --upload-file of a Unix file) is stored with CRLF.
            (
                b"Subject: x\n\nline\n..dot\n\r\n.\r\n",
                b"Subject: x\r\n\r\nline\r\n.dot\r\n\r\n",
                28,
                done(false, false),
            ),
            (b"a\n\n.\r\n", b"a\r\n\r\n\r\n", 6, inc),
            (b"\r", b"\r", 1, inc),
        ]
    }

    #[test]
    fn decodes_table_split_at_every_position() {
        for (input, body, consumed, status) in cases() {
            let want = (body.to_vec(), consumed, status);
            assert_eq!(
                decode(1 << 20, input),
                want,
                "input {:?}",
                input.escape_ascii().to_string()
            );
            assert_eq!(
                reference(1 << 20, input),
                want,
                "reference {:?}",
                input.escape_ascii().to_string()
            );
            for cut in 0..=input.len() {
                assert_eq!(
                    decode_split(1 << 20, input, &[cut]),
                    want,
                    "cut {cut} {input:?}"
                );
            }
            let every: Vec<usize> = (0..=input.len()).collect();
            assert_eq!(
                decode_split(1 << 20, input, &every),
                want,
                "byte by byte {input:?}"
            );
        }
    }

    #[test]
    fn pipelined_command_after_terminator_is_left_unconsumed() {
        let input = b"Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n";
        let mut out = Vec::new();
        let (n, status) = DataDecoder::new(100).feed(input, &mut out);
        assert_eq!(status, done(false, false));
        assert_eq!(&input[n..], b"QUIT\r\n");
        assert_eq!(out, b"Subject: x\r\n\r\nhi\r\n");
    }

    #[test]
    fn body_over_limit_is_truncated_and_flagged_but_terminator_still_found() {
        let (out, n, status) = decode(4, b"abcdef\r\n..\r\n.\r\nX");
        assert_eq!(
            (out.as_slice(), n, status),
            (&b"abcd"[..], 15, done(false, true))
        );
        // A bare LF grows into CRLF, counted against the limit.
        assert_eq!(decode(3, b"ab\n\r\n.\r\n").2, done(false, true));
        assert_eq!(decode(4, b"ab\n.\r\n").2, DataStatus::Incomplete);
        assert_eq!(decode(4, b"ab\r\n.\r\n").2, done(false, false));
        assert_eq!(
            decode(5, b"abc\r\n.\r\n"),
            (b"abc\r\n".to_vec(), 8, done(false, false))
        );
        assert_eq!(decode(0, b".\r\n"), (vec![], 3, done(false, false)));
    }

    #[test]
    fn decoder_is_reusable_after_complete() {
        let mut d = DataDecoder::new(100);
        let mut out = Vec::new();
        assert_eq!(d.feed(b"a\rb\r\n.\r\n", &mut out).1, done(true, false));
        out.clear();
        assert_eq!(d.feed(b".\r\n", &mut out), (3, done(false, false)));
        assert!(out.is_empty());
    }

    #[test]
    fn appends_to_existing_output_and_counts_limit_from_zero() {
        let mut out = b"Received: x\r\n".to_vec();
        let (_, status) = DataDecoder::new(3).feed(b"abc\r\n.\r\n", &mut out);
        assert_eq!(status, done(false, true));
        assert_eq!(out, b"Received: x\r\nabc");
    }

    /// Pieces that exercise the framing: dots, every line ending, text.
    fn piece() -> impl Strategy<Value = &'static [u8]> {
        prop::sample::select(vec![
            &b"."[..],
            b"..",
            b"\r",
            b"\n",
            b"\r\n",
            b".\r\n",
            b"\r\n.\r\n",
            b"\r\n.",
            b"Subject: hi",
            b"x",
            b" ",
            "\u{e9}t\u{e9}".as_bytes(),
            b"\0",
        ])
    }

    fn framed_input() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(piece(), 0..24).prop_map(|p| p.concat())
    }

    /// A body of CRLF-terminated lines without CR or LF inside, as a client would send after
    /// converting to canonical form.
    fn crlf_body() -> impl Strategy<Value = Vec<u8>> {
        let line = prop::collection::vec(
            prop::sample::select(vec![
                &b"."[..],
                b"..",
                b"a",
                b" ",
                b"\t",
                b"From x",
                b"\xff",
            ]),
            0..6,
        )
        .prop_map(|p| p.concat());
        prop::collection::vec(line, 0..10).prop_map(|lines| {
            let mut body = Vec::new();
            for l in lines {
                body.extend_from_slice(&l);
                body.extend_from_slice(b"\r\n");
            }
            body
        })
    }

    /// RFC 5321 §4.5.2 sender side: double a leading dot on every line, then add ".CRLF".
    fn stuff(body: &[u8]) -> Vec<u8> {
        let mut wire = Vec::new();
        for line in body.split_inclusive(|&b| b == b'\n') {
            if line.first() == Some(&b'.') {
                wire.push(b'.');
            }
            wire.extend_from_slice(line);
        }
        wire.extend_from_slice(b".\r\n");
        wire
    }

    proptest! {
        #[test]
        fn matches_reference_model(input in framed_input(), limit in 0usize..64) {
            prop_assert_eq!(decode(limit, &input), reference(limit, &input));
        }

        #[test]
        fn any_split_gives_same_result(
            input in framed_input(),
            cuts in prop::collection::vec(0usize..200, 0..6),
            limit in 0usize..64,
        ) {
            prop_assert_eq!(decode_split(limit, &input, &cuts), decode(limit, &input));
        }

        #[test]
        fn stuffed_crlf_body_round_trips(body in crlf_body(), tail in framed_input()) {
            let mut wire = stuff(&body);
            let end = wire.len();
            wire.extend_from_slice(&tail);
            let (out, n, status) = decode(usize::MAX, &wire);
            prop_assert_eq!(out, body);
            prop_assert_eq!(n, end);
            prop_assert_eq!(status, done(false, false));
        }

        #[test]
        fn random_bytes_never_panic_and_respect_limit(
            input in prop::collection::vec(any::<u8>(), 0..512),
            limit in 0usize..128,
        ) {
            let (out, n, _) = decode(limit, &input);
            prop_assert!(out.len() <= limit);
            prop_assert!(n <= input.len());
        }
    }
}
