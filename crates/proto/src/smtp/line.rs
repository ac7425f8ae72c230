//! Splitting SMTP input into command lines.

/// What [`LineSplitter::next`] found at the front of the buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A complete line, without its line ending. The caller drops `consumed` bytes.
    Complete { line: &'a [u8], consumed: usize },
    /// No complete line yet; keep the buffer and read more.
    Incomplete,
    /// The line is longer than the limit. `consumed` bytes (everything up to and including the
    /// line end if it was seen) must be dropped; when `finished` is false the rest of the line
    /// has not arrived and the splitter keeps discarding it on later calls, so an endless
    /// line never grows the buffer. The session replies once, when `finished` is true.
    TooLong { consumed: usize, finished: bool },
}

/// Finds command lines. A line ends at LF; a CR before that LF is removed (RFC 5321 §2.3.8
/// asks for CRLF; bare LF is tolerated in commands; in DATA it is stored as CRLF, see `data.rs`).
///
/// `TooLong` always has `consumed > 0`; an empty buffer is `Incomplete`, so a caller that
/// loops until `Incomplete` always makes progress. A caller never has to hold more than
/// `max_len + 2` bytes of one line.
#[derive(Debug, Clone)]
pub struct LineSplitter {
    /// The longest line accepted, without its line ending.
    pub max_len: usize,
    /// Whether the splitter is inside an over-long line it is throwing away.
    discarding: bool,
}

impl LineSplitter {
    pub fn new(max_len: usize) -> Self {
        Self {
            max_len,
            discarding: false,
        }
    }

    /// Looks at the front of `buf` for the next line.
    pub fn next<'a>(&mut self, buf: &'a [u8]) -> Line<'a> {
        if buf.is_empty() {
            return Line::Incomplete;
        }
        if self.discarding {
            return self.discard(buf);
        }
        // Only the first max_len + 2 bytes (the line, CR, LF) can hold the end of an
        // acceptable line; never scan further than that for one.
        let window = &buf[..buf.len().min(self.max_len.saturating_add(2))];
        if let Some(lf) = window.iter().position(|&b| b == b'\n') {
            let mut line = &buf[..lf];
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            if line.len() > self.max_len {
                return Line::TooLong {
                    consumed: lf + 1,
                    finished: true,
                };
            }
            return Line::Complete {
                line,
                consumed: lf + 1,
            };
        }
        // No LF yet. The line is still acceptable only while what we hold could be the line
        // plus its CR (RFC 5321 §4.5.3.1.4: the limit excludes CRLF).
        let too_long = match buf.len().cmp(&self.max_len.saturating_add(1)) {
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => buf.last() != Some(&b'\r'),
            std::cmp::Ordering::Greater => true,
        };
        if too_long {
            self.discarding = true;
            return self.discard(buf);
        }
        Line::Incomplete
    }

    /// Drops bytes up to and including the next LF.
    fn discard(&mut self, buf: &[u8]) -> Line<'static> {
        match buf.iter().position(|&b| b == b'\n') {
            Some(lf) => {
                self.discarding = false;
                Line::TooLong {
                    consumed: lf + 1,
                    finished: true,
                }
            }
            None => Line::TooLong {
                consumed: buf.len(),
                finished: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line, or `Err(true)` for a finished over-long line.
    type Seen = Result<Vec<u8>, bool>;
    /// The reads a session gets, in order.
    type Reads<'a> = &'a [&'a [u8]];

    /// Feeds `chunks` one after another the way a session does (keeping the unconsumed
    /// tail) and records what came out, with the most bytes ever held.
    fn run(max_len: usize, chunks: &[&[u8]]) -> (Vec<Seen>, usize) {
        let mut splitter = LineSplitter::new(max_len);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let mut peak = 0;
        for chunk in chunks {
            buf.extend_from_slice(chunk);
            peak = peak.max(buf.len());
            loop {
                match splitter.next(&buf) {
                    Line::Complete { line, consumed } => {
                        out.push(Ok(line.to_vec()));
                        buf.drain(..consumed);
                    }
                    Line::TooLong { consumed, finished } => {
                        assert!(consumed > 0);
                        if finished {
                            out.push(Err(true));
                        }
                        buf.drain(..consumed);
                    }
                    Line::Incomplete => break,
                }
            }
        }
        (out, peak)
    }

    /// The answer for an over-long line: `consumed` bytes dropped, `finished` if its end came.
    fn too_long(consumed: usize, finished: bool) -> Line<'static> {
        Line::TooLong { consumed, finished }
    }

    fn ok(s: &str) -> Seen {
        Ok(s.as_bytes().to_vec())
    }

    #[test]
    fn splits_lines_table() {
        let too_long = Err(true);
        let cases: &[(usize, Reads, Vec<Seen>)] = &[
            (10, &[b"EHLO a\r\n"], vec![ok("EHLO a")]),
            (10, &[b"EHLO a\n"], vec![ok("EHLO a")]),
            (10, &[b"EHLO a\r\r\n"], vec![ok("EHLO a\r")]),
            (10, &[b"NOOP\r\nQUIT\r\n"], vec![ok("NOOP"), ok("QUIT")]),
            (10, &[b"NO", b"OP\r", b"\n"], vec![ok("NOOP")]),
            (10, &[b"\r\n"], vec![ok("")]),
            (10, &[b"NOOP"], vec![]),
            // Exactly the limit, with and without CR.
            (4, &[b"NOOP\r\n"], vec![ok("NOOP")]),
            (4, &[b"NOOP\r", b"\n"], vec![ok("NOOP")]),
            (4, &[b"NOOP\n"], vec![ok("NOOP")]),
            (
                4,
                &[b"NOOPX\r\nQUIT\r\n"],
                vec![too_long.clone(), ok("QUIT")],
            ),
            (
                4,
                &[b"NOOPX", b"YZ\r\nQUIT\r\n"],
                vec![too_long.clone(), ok("QUIT")],
            ),
            (
                4,
                &[b"NOOPXYZ", b"more", b"\nQUIT\n"],
                vec![too_long.clone(), ok("QUIT")],
            ),
            (4, &[b"NOOP\rX\n"], vec![too_long.clone()]),
            (0, &[b"\r\nx\r\n"], vec![ok(""), too_long]),
        ];
        for (max, chunks, want) in cases {
            assert_eq!(&run(*max, chunks).0, want, "max {max} chunks {chunks:?}");
        }
    }

    #[test]
    fn empty_buffer_is_incomplete_even_while_discarding() {
        let mut s = LineSplitter::new(2);
        assert_eq!(s.next(b""), Line::Incomplete);
        assert_eq!(s.next(b"abcd"), too_long(4, false));
        assert_eq!(s.next(b""), Line::Incomplete);
        assert_eq!(s.next(b"x\nNOOP"), too_long(2, true));
    }

    #[test]
    fn ten_megabyte_line_is_never_buffered() {
        let chunk = vec![b'a'; 64 * 1024];
        let mut chunks: Vec<&[u8]> = vec![b"NOOP\r\n"];
        chunks.extend(std::iter::repeat_n(chunk.as_slice(), 160));
        chunks.push(b"\r\nQUIT\r\n");
        let (out, peak) = run(512, &chunks);
        assert_eq!(out, vec![ok("NOOP"), Err(true), ok("QUIT")]);
        // Only one read's worth is ever held.
        assert!(peak <= 64 * 1024 + 8, "peak {peak}");
    }

    #[test]
    fn over_long_line_with_end_in_same_buffer_is_dropped_whole() {
        let mut s = LineSplitter::new(4);
        assert_eq!(s.next(b"abcdef\r\nQUIT"), too_long(8, true));
        assert_eq!(s.next(b"QUIT"), Line::Incomplete);
    }

    #[test]
    fn huge_max_len_does_not_overflow() {
        let mut s = LineSplitter::new(usize::MAX);
        assert_eq!(s.next(b"abc"), Line::Incomplete);
        assert_eq!(
            s.next(b"abc\n"),
            Line::Complete {
                line: b"abc",
                consumed: 4
            }
        );
    }
}
