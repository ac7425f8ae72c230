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
/// asks for CRLF; bare LF is tolerated in commands, never in DATA).
#[derive(Debug, Clone)]
pub struct LineSplitter {
    /// The longest line accepted, without its line ending.
    pub max_len: usize,
    /// Whether the splitter is inside an over-long line it is throwing away.
    discarding: bool,
}

impl LineSplitter {
    pub fn new(max_len: usize) -> Self {
        Self { max_len, discarding: false }
    }

    /// Looks at the front of `buf` for the next line.
    pub fn next<'a>(&mut self, buf: &'a [u8]) -> Line<'a> {
        todo!("helper: implement; buf may hold several pipelined lines")
    }
}
