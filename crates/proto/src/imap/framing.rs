//! Splitting the input into whole commands: lines and the literals between them
//! (RFC 9051 §4.3, RFC 7888 LITERAL+), with every limit checked before anything is buffered.
//!
//! A command is returned exactly as it came on the wire (`{n}` CRLF and the n octets
//! included), so the parser sees the literals in place. For a synchronizing literal `{n}` the
//! client waits for a continuation request: [`Frame::Continue`] tells the session to send one.

/// The limits a [`CommandReader`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line (between literals), CRLF included.
    pub line: usize,
    /// The largest literal announced.
    pub literal: u64,
    /// All lines and literals of one command together.
    pub command: usize,
}

impl Limits {
    /// Before authentication: small literals (RFC 9051 §6.2.3 LOGIN needs only a few octets),
    /// and lines long enough for the largest ID a client may send in quoted strings (RFC 2971
    /// §3.3: 30 fields of 30 octets with values of 1024: about 31.8 KB) and for RFC 7162 §4's
    /// 8192 octets. Still a bound: a longer line is discarded as it streams in.
    pub const fn before_login() -> Limits {
        Limits {
            line: 32 * 1024,
            literal: 8 * 1024,
            command: 40 * 1024,
        }
    }

    /// After authentication: literals up to the message size limit (APPEND).
    pub const fn logged_in(max_message: u64) -> Limits {
        Limits {
            line: 64 * 1024,
            literal: max_message,
            command: max_message as usize + 64 * 1024,
        }
    }
}

/// What [`CommandReader::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// More input is needed.
    Incomplete,
    /// A whole command, without its final CRLF.
    Command(Vec<u8>),
    /// A synchronizing literal was announced and accepted: send `+ Ready` (RFC 9051 §7.5).
    Continue,
    /// A line was longer than the limit; it was discarded up to its CRLF. The tag, if it was
    /// seen, is given for a tagged BAD.
    LineTooLong { tag: Option<String> },
    /// A literal larger than the limit was announced; nothing of it was read. For a
    /// synchronizing literal the client waits and the command is answered (RFC 9051 §7.1.5,
    /// RFC 7888 §4: a tagged NO/BAD); a non-synchronizing one is already on its way, so the
    /// connection must be closed (RFC 7888 §4).
    LiteralTooLarge {
        tag: Option<String>,
        size: u64,
        synchronizing: bool,
    },
}

enum State {
    /// Reading a line of the command.
    Line,
    /// Reading `remaining` octets of a literal.
    Literal { remaining: u64 },
    /// Discarding the rest of an over-long line.
    Discard,
}

/// An incremental command reader. Feed it the unconsumed input; it says how much it consumed.
pub struct CommandReader {
    limits: Limits,
    buf: Vec<u8>,
    /// Where the current line starts in `buf`.
    line_start: usize,
    state: State,
    /// The tag of the over-long command whose rest is being discarded.
    discard_tag: Option<String>,
}

impl CommandReader {
    pub fn new(limits: Limits) -> CommandReader {
        CommandReader {
            limits,
            buf: Vec::new(),
            line_start: 0,
            state: State::Line,
            discard_tag: None,
        }
    }

    /// Changes the limits (after login); takes effect for the next line or literal.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Bytes the command being read will hold once complete: what is buffered plus the rest
    /// of the literal being read. The session reserves memory for it before it sends a
    /// continuation request or reads more.
    pub fn pending(&self) -> u64 {
        let literal = match self.state {
            State::Literal { remaining } => remaining,
            State::Line | State::Discard => 0,
        };
        (self.buf.len() as u64).saturating_add(literal)
    }

    /// The tag of the command being read, if seen.
    pub fn tag(&self) -> Option<String> {
        tag_of(&self.buf)
    }

    /// Forgets a partly read command (STARTTLS, RFC 9051 §6.2.1).
    pub fn reset(&mut self) {
        self.buf = Vec::new();
        self.line_start = 0;
        self.state = State::Line;
        self.discard_tag = None;
    }

    /// Consumes from `input`; returns how many octets were consumed and what was found.
    pub fn next(&mut self, input: &[u8]) -> (usize, Frame) {
        let mut pos = 0;
        loop {
            match self.state {
                State::Literal { remaining } => {
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len() - pos);
                    self.buf.extend_from_slice(&input[pos..pos + take]);
                    pos += take;
                    let remaining = remaining - take as u64;
                    if remaining > 0 {
                        self.state = State::Literal { remaining };
                        return (pos, Frame::Incomplete);
                    }
                    self.state = State::Line;
                    self.line_start = self.buf.len();
                }
                State::Discard => match memchr_lf(&input[pos..]) {
                    Some(i) => {
                        pos += i + 1;
                        let tag = self.discard_tag.take();
                        self.reset();
                        return (pos, Frame::LineTooLong { tag });
                    }
                    None => return (input.len(), Frame::Incomplete),
                },
                State::Line => {
                    let rest = &input[pos..];
                    let line_len = self.buf.len() - self.line_start;
                    let room = self.limits.line.saturating_sub(line_len);
                    match memchr_lf(rest) {
                        Some(i) if i < room => {
                            self.buf.extend_from_slice(&rest[..=i]);
                            pos += i + 1;
                            if let Some(frame) = self.end_of_line() {
                                return (pos, frame);
                            }
                        }
                        None if rest.len() < room => {
                            self.buf.extend_from_slice(rest);
                            return (input.len(), Frame::Incomplete);
                        }
                        _ => {
                            // Over the limit: remember the tag, drop what was buffered.
                            let mut seen = self.buf.clone();
                            seen.extend_from_slice(&rest[..room.min(rest.len()).min(64)]);
                            self.discard_tag = tag_of(&seen);
                            self.buf = Vec::new();
                            self.line_start = 0;
                            self.state = State::Discard;
                            pos += room.min(rest.len());
                        }
                    }
                }
            }
        }
    }

    /// A line (with its LF) was appended to `buf`: either the command is complete, or it ends
    /// in a literal announcement.
    fn end_of_line(&mut self) -> Option<Frame> {
        let mut end = self.buf.len() - 1;
        if end > self.line_start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        let line = &self.buf[self.line_start..end];
        match literal_announcement(line) {
            Some((size, synchronizing)) => {
                let total = self.buf.len() as u64 + size;
                if size > self.limits.literal || total > self.limits.command as u64 {
                    let tag = tag_of(&self.buf);
                    self.reset();
                    return Some(Frame::LiteralTooLarge {
                        tag,
                        size,
                        synchronizing,
                    });
                }
                self.state = State::Literal { remaining: size };
                synchronizing.then_some(Frame::Continue)
            }
            None => {
                self.buf.truncate(end);
                let command = std::mem::take(&mut self.buf);
                self.reset();
                Some(Frame::Command(command))
            }
        }
    }
}

/// `{n}` or `{n+}` at the end of a line (RFC 9051 §4.3, RFC 7888 §3): (n, synchronizing).
/// A literal after a quoted string's closing quote still counts; inside a quoted string it
/// cannot occur since a line ends the string.
pub(crate) fn literal_announcement(line: &[u8]) -> Option<(u64, bool)> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let mut digits = &body[open + 1..];
    let synchronizing = match digits.strip_suffix(b"+") {
        Some(d) => {
            digits = d;
            false
        }
        None => true,
    };
    // RFC 9051 §4.3: a literal8 is ~{n}; the `~` is before the brace and does not matter here.
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((n, synchronizing))
}

/// The tag: the first token, if it is a plausible tag (RFC 9051 §9 `tag`).
pub fn tag_of(line: &[u8]) -> Option<String> {
    let end = line
        .iter()
        .position(|&b| b == b' ' || b == b'\r' || b == b'\n')
        .unwrap_or(line.len());
    let tag = &line[..end];
    (!tag.is_empty() && tag.len() <= 64 && tag.iter().all(|&b| super::parse::is_tag_char(b)))
        .then(|| String::from_utf8_lossy(tag).into_owned())
}

fn memchr_lf(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Limits {
        Limits {
            line: 32,
            literal: 10,
            command: 100,
        }
    }

    #[test]
    fn commands_and_literals_are_framed_in_one_read_or_many() {
        let input = b"a1 NOOP\r\na2 LOGIN {5}\r\nalice {3+}\r\npw!\r\n";
        // Whole.
        let mut r = CommandReader::new(small());
        let mut frames = Vec::new();
        let mut pos = 0;
        while pos < input.len() {
            let (n, f) = r.next(&input[pos..]);
            pos += n;
            frames.push(f);
        }
        assert_eq!(
            frames,
            vec![
                Frame::Command(b"a1 NOOP".to_vec()),
                Frame::Continue,
                Frame::Command(b"a2 LOGIN {5}\r\nalice {3+}\r\npw!".to_vec()),
            ]
        );
        // Byte by byte.
        let mut r = CommandReader::new(small());
        let mut bytewise = Vec::new();
        for b in input.iter() {
            let (n, f) = r.next(std::slice::from_ref(b));
            assert_eq!(n, 1);
            if f != Frame::Incomplete {
                bytewise.push(f);
            }
        }
        assert_eq!(bytewise, frames);
    }

    #[test]
    fn an_over_large_literal_is_refused_before_it_is_read() {
        let mut r = CommandReader::new(small());
        let (n, f) = r.next(b"t APPEND INBOX {4294967295}\r\nxxxx");
        assert_eq!(n, 29);
        assert_eq!(
            f,
            Frame::LiteralTooLarge {
                tag: Some("t".into()),
                size: 4_294_967_295,
                synchronizing: true
            }
        );
        let (_, f) = r.next(b"t APPEND INBOX {11+}\r\n");
        assert!(matches!(
            f,
            Frame::LiteralTooLarge {
                synchronizing: false,
                ..
            }
        ));
    }

    #[test]
    fn an_over_long_line_is_discarded_as_it_streams_and_reported_once() {
        let mut r = CommandReader::new(small());
        let long = [b'x'; 100];
        let (n, f) = r.next(b"tag1 NOOP ");
        assert_eq!((n, f), (10, Frame::Incomplete));
        let mut consumed = 0;
        loop {
            let (n, f) = r.next(&long);
            consumed += n;
            assert_eq!(f, Frame::Incomplete);
            if consumed > 300 {
                break;
            }
        }
        let (_, f) = r.next(b"yy\r\nb NOOP\r\n");
        assert_eq!(
            f,
            Frame::LineTooLong {
                tag: Some("tag1".into())
            }
        );
        let (_, f) = r.next(b"b NOOP\r\n");
        assert_eq!(f, Frame::Command(b"b NOOP".to_vec()));
    }

    #[test]
    fn pending_counts_the_buffer_and_the_announced_literal() {
        let mut r = CommandReader::new(Limits::logged_in(1000));
        let (_, f) = r.next(b"a1 APPEND INBOX {100}\r\n");
        assert_eq!(f, Frame::Continue);
        assert_eq!(r.pending(), 23 + 100);
        assert_eq!(r.tag().as_deref(), Some("a1"));
        let (_, f) = r.next(&[b'x'; 40]);
        assert_eq!(f, Frame::Incomplete);
        assert_eq!(
            r.pending(),
            23 + 100,
            "reading the literal does not change the total"
        );
        r.reset();
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn literal_announcements() {
        type Case = (&'static [u8], Option<(u64, bool)>);
        let cases: &[Case] = &[
            (b"a LOGIN {5}", Some((5, true))),
            (b"a LOGIN {5+}", Some((5, false))),
            (b"a LOGIN {}", None),
            (b"a LOGIN {+}", None),
            (b"a LOGIN {5x}", None),
            (b"a LOGIN 5}", None),
            (b"a APPEND x ~{7}", Some((7, true))),
            (b"a X {99999999999999999999}", None),
        ];
        for (line, want) in cases {
            assert_eq!(
                literal_announcement(line),
                *want,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
