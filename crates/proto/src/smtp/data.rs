//! The DATA body decoder (RFC 5321 §4.1.1.4, §4.5.2).

/// What [`DataDecoder::feed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataStatus {
    /// All input consumed; the terminating `CRLF.CRLF` has not been seen yet.
    Incomplete,
    /// The terminator was seen. `consumed` in the return of `feed` stops right after it; any
    /// bytes after it belong to the next command (PIPELINING).
    Complete {
        /// A bare CR or a bare LF appeared in the body. The message must be refused: these are
        /// the raw material of SMTP smuggling.
        bare_line_ending: bool,
        /// The body exceeded the limit; `out` was truncated at the limit.
        oversized: bool,
    },
}

/// Incremental DATA decoder: end of data only at CRLF.CRLF, dot-unstuffing, bare CR/LF flagged.
#[derive(Debug, Clone)]
pub struct DataDecoder {
    limit: usize,
    // helper: add state fields
}

impl DataDecoder {
    /// A decoder that appends at most `limit` body bytes to `out` (it keeps scanning for the
    /// terminator beyond the limit without storing).
    pub fn new(limit: usize) -> Self {
        Self { limit }
    }

    /// Feeds input; appends the unstuffed body (with its CRLFs, without the final `.CRLF`) to
    /// `out`. Returns how many bytes of `input` were consumed and the status.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, DataStatus) {
        todo!("helper: implement")
    }
}
