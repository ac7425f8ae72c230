//! The client side of SMTP (RFC 5321 §4.2): reading a server's replies, the EHLO keywords,
//! and encoding a message for DATA (dot-stuffing, CRLF line ends) or BDAT.

/// A reply as received from a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub code: u16,
    /// The text of each line, after the code and its separator.
    pub lines: Vec<String>,
}

impl Response {
    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }
    /// 4xx: try again later.
    pub fn is_temporary(&self) -> bool {
        (400..500).contains(&self.code)
    }
    /// 5xx: never succeeds as is.
    pub fn is_permanent(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// The enhanced status code (RFC 3463) at the start of the first line, if any, and only
    /// when its class agrees with the reply code.
    pub fn enhanced(&self) -> Option<&str> {
        let first = self.lines.first()?;
        let word = first.split(' ').next()?;
        let mut parts = word.split('.');
        let class = parts.next()?;
        let ok = matches!(class, "2" | "4" | "5")
            && class.as_bytes()[0] == b'0' + u8::try_from(self.code / 100).ok()?
            && parts.clone().count() == 2
            && parts
                .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then_some(word)
    }

    /// One line for logs and DSNs: `550 5.1.1 No such user`, multi-line text joined by
    /// spaces, control characters dropped, at most 400 characters.
    pub fn one_line(&self) -> String {
        let mut text = self.code.to_string();
        for line in &self.lines {
            text.push(' ');
            text.extend(line.chars().filter(|c| !c.is_control()));
        }
        text.chars().take(400).collect()
    }
}

/// What [`parse_response`] found at the front of the buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum ResponseStatus {
    /// Read more.
    Incomplete,
    /// A whole reply; drop `consumed` bytes.
    Complete { response: Response, consumed: usize },
    /// Not an SMTP reply (no code, codes that change between lines, a line or reply that is
    /// too long): the connection is not usable.
    Invalid,
}

/// The longest reply line accepted (RFC 5321 §4.5.3.1.5 says 512; servers exceed it).
pub const MAX_REPLY_LINE: usize = 4096;
/// The most lines in one reply.
pub const MAX_REPLY_LINES: usize = 200;

/// Parses one reply, single or multi-line (`250-...` lines then `250 ...`), at the front of
/// `buf`. Lines end in CRLF or LF.
pub fn parse_response(buf: &[u8]) -> ResponseStatus {
    let mut pos = 0;
    let mut code = None;
    let mut lines = Vec::new();
    loop {
        let rest = &buf[pos..];
        let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
            return if rest.len() > MAX_REPLY_LINE {
                ResponseStatus::Invalid
            } else {
                ResponseStatus::Incomplete
            };
        };
        let mut line = &rest[..lf];
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        if line.len() > MAX_REPLY_LINE || line.len() < 3 || lines.len() >= MAX_REPLY_LINES {
            return ResponseStatus::Invalid;
        }
        let Some(this) = std::str::from_utf8(&line[..3])
            .ok()
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|c| (200..600).contains(c) || (100..200).contains(c))
        else {
            return ResponseStatus::Invalid;
        };
        if code.is_some_and(|c| c != this) {
            return ResponseStatus::Invalid;
        }
        code = Some(this);
        let (last, text) = match line.get(3) {
            None => (true, &[][..]),
            Some(b' ') => (true, &line[4..]),
            Some(b'-') => (false, &line[4..]),
            Some(_) => return ResponseStatus::Invalid,
        };
        lines.push(String::from_utf8_lossy(text).into_owned());
        pos += lf + 1;
        if last {
            return ResponseStatus::Complete {
                response: Response { code: this, lines },
                consumed: pos,
            };
        }
    }
}

/// The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions {
    pub starttls: bool,
    pub pipelining: bool,
    /// SIZE (RFC 1870): `Some(0)` means no fixed limit.
    pub size: Option<u64>,
    pub eightbitmime: bool,
    pub smtputf8: bool,
    pub chunking: bool,
    pub dsn: bool,
    /// AUTH mechanisms, upper-case.
    pub auth: Vec<String>,
    /// ETRN (RFC 1985 §3): the server starts its queue for a domain on request.
    pub etrn: bool,
}

impl Extensions {
    /// The keywords of an EHLO reply: every line after the first (the greeting).
    pub fn parse(ehlo: &Response) -> Extensions {
        let mut ext = Extensions::default();
        for line in ehlo.lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            match keyword.to_ascii_uppercase().as_str() {
                "STARTTLS" => ext.starttls = true,
                "PIPELINING" => ext.pipelining = true,
                "SIZE" => ext.size = Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0)),
                "8BITMIME" => ext.eightbitmime = true,
                "SMTPUTF8" => ext.smtputf8 = true,
                "CHUNKING" => ext.chunking = true,
                "DSN" => ext.dsn = true,
                "ETRN" => ext.etrn = true,
                "AUTH" => ext.auth.extend(words.map(|m| m.to_ascii_uppercase())),
                _ => {}
            }
        }
        ext
    }
}

/// Appends `message` as DATA content: every line ending made CRLF (a bare CR or LF becomes
/// CRLF, so nothing can end the data early at the receiver: no SMTP smuggling outward), a
/// line starting with `.` gets another (RFC 5321 §4.5.2), a last line without an ending
/// gets one, then the terminating `.` CRLF.
pub fn encode_data(message: &[u8], out: &mut Vec<u8>) {
    encode_lines(message, out, true);
    out.extend_from_slice(b".\r\n");
}

/// Appends `message` with every line ending made CRLF and no dot-stuffing: BDAT content
/// (RFC 3030 §2).
pub fn encode_bdat(message: &[u8], out: &mut Vec<u8>) {
    encode_lines(message, out, false);
}

fn encode_lines(message: &[u8], out: &mut Vec<u8>, stuff: bool) {
    out.reserve(message.len() + message.len() / 64 + 5);
    let mut at_line_start = true;
    let mut i = 0;
    while i < message.len() {
        let b = message[i];
        if at_line_start && stuff && b == b'.' {
            out.push(b'.');
        }
        match b {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                // CRLF is one line end, not two.
                if message.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                at_line_start = true;
            }
            b'\n' => {
                out.extend_from_slice(b"\r\n");
                at_line_start = true;
            }
            _ => {
                out.push(b);
                at_line_start = false;
            }
        }
        i += 1;
    }
    if !at_line_start {
        out.extend_from_slice(b"\r\n");
    }
}

/// Whether the message has bytes above 127 (it needs 8BITMIME, RFC 6152).
pub fn is_8bit(message: &[u8]) -> bool {
    !message.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(input: &str) -> (Response, usize) {
        match parse_response(input.as_bytes()) {
            ResponseStatus::Complete { response, consumed } => (response, consumed),
            other => panic!("{input:?}: {other:?}"),
        }
    }

    #[test]
    fn replies_parse_table() {
        let (r, n) = complete("250 2.0.0 OK\r\nextra");
        assert_eq!((r.code, n), (250, 14));
        assert_eq!(r.enhanced(), Some("2.0.0"));
        let (r, _) = complete("250-mx.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n");
        assert_eq!(r.lines, vec!["mx.test", "PIPELINING", "SIZE 1000"]);
        let (r, _) = complete("354\n");
        assert_eq!((r.code, r.lines.len()), (354, 1));
        assert_eq!(
            complete("550 4.1.1 x\r\n").0.enhanced(),
            None,
            "class mismatch"
        );
        for incomplete in ["", "250", "250-a\r\n", "250-a\r\n250 b"] {
            assert_eq!(
                parse_response(incomplete.as_bytes()),
                ResponseStatus::Incomplete,
                "{incomplete:?}"
            );
        }
        for invalid in [
            "hello\r\n",
            "250-a\r\n251 b\r\n",
            "25\r\n",
            "250xb\r\n",
            "999 x\r\n",
        ] {
            assert_eq!(
                parse_response(invalid.as_bytes()),
                ResponseStatus::Invalid,
                "{invalid:?}"
            );
        }
        assert_eq!(
            parse_response(&vec![b'2'; MAX_REPLY_LINE + 10]),
            ResponseStatus::Invalid
        );
    }

    #[test]
    fn ehlo_keywords_are_read() {
        let (r, _) = complete(
            "250-mx.test greets you\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n\
             250-AUTH PLAIN login\r\n250-STARTTLS\r\n250-CHUNKING\r\n250-DSN\r\n250 SMTPUTF8\r\n",
        );
        let ext = Extensions::parse(&r);
        assert!(ext.pipelining && ext.eightbitmime && ext.starttls && ext.chunking);
        assert!(ext.dsn && ext.smtputf8);
        assert_eq!(ext.size, Some(1000));
        assert_eq!(ext.auth, vec!["PLAIN", "LOGIN"]);
    }

    #[test]
    fn data_is_dot_stuffed_and_line_ends_become_crlf() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"a\r\nb\r\n", b"a\r\nb\r\n.\r\n"),
            (b".hidden\r\n..two\r\n", b"..hidden\r\n...two\r\n.\r\n"),
            (b"a\nb", b"a\r\nb\r\n.\r\n"),
            // A smuggled end of data cannot survive: every bare CR/LF becomes CRLF and the
            // dot is stuffed.
            (
                b"x\n.\r\nMAIL FROM:<a>\r\n",
                b"x\r\n..\r\nMAIL FROM:<a>\r\n.\r\n",
            ),
            (b"x\r.\r", b"x\r\n..\r\n.\r\n"),
            (b"", b".\r\n"),
        ];
        for (input, want) in cases {
            let mut out = Vec::new();
            encode_data(input, &mut out);
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(want),
                "{input:?}"
            );
        }
        let mut out = Vec::new();
        encode_bdat(b".a\nb", &mut out);
        assert_eq!(out, b".a\r\nb\r\n");
    }
}
