//! SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463, RFC 2034).

/// One reply: a code, an optional enhanced status code, and one or more text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// e.g. "2.1.0"; written after the code on every line when present.
    pub enhanced: Option<&'static str>,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn new(code: u16, enhanced: &'static str, text: impl Into<String>) -> Self {
        Self {
            code,
            enhanced: Some(enhanced),
            lines: vec![text.into()],
        }
    }

    /// A multi-line reply (e.g. the EHLO keywords), with the same enhanced code on each line.
    pub fn multi(code: u16, enhanced: Option<&'static str>, lines: Vec<String>) -> Self {
        Self {
            code,
            enhanced,
            lines,
        }
    }

    /// Whether the code is 4xx (temporary) — the session's error counter also uses this.
    pub fn is_temporary(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// Appends the reply in wire form (`250-...CRLF` for all but the last line, `250 ...CRLF`).
    ///
    /// A CR or LF inside a text line would end the reply early (and let text that came from
    /// a client forge a reply line), so each is written as a space. With no lines at all, one
    /// line with just the code (and enhanced code) is written.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let last = self.lines.len().saturating_sub(1);
        if self.lines.is_empty() {
            self.write_line(out, "", true);
        }
        for (i, text) in self.lines.iter().enumerate() {
            self.write_line(out, text, i == last);
        }
    }

    /// The wire form as a new buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }

    fn write_line(&self, out: &mut Vec<u8>, text: &str, last: bool) {
        // RFC 5321 §4.2.1: "250-" on every line but the last, "250 " on the last.
        out.extend_from_slice(self.code.to_string().as_bytes());
        out.push(if last { b' ' } else { b'-' });
        // RFC 2034 §4: the enhanced code starts the text of every line.
        if let Some(enhanced) = self.enhanced {
            out.extend_from_slice(enhanced.as_bytes());
            if !text.is_empty() {
                out.push(b' ');
            }
        }
        let start = out.len();
        out.extend_from_slice(text.as_bytes());
        for b in &mut out[start..] {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        // Without text or enhanced code, drop the separator space ("250" CRLF, §4.2).
        if last && text.is_empty() && self.enhanced.is_none() {
            out.pop();
        }
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replies_table() {
        let cases: Vec<(Reply, &str)> = vec![
            (Reply::new(250, "2.1.0", "OK"), "250 2.1.0 OK\r\n"),
            (
                Reply::multi(
                    250,
                    None,
                    vec!["mx.example".into(), "PIPELINING".into(), "8BITMIME".into()],
                ),
                "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
            ),
            (
                Reply::multi(
                    550,
                    Some("5.7.1"),
                    vec!["Refused".into(), "See policy".into()],
                ),
                "550-5.7.1 Refused\r\n550 5.7.1 See policy\r\n",
            ),
            (
                Reply::multi(220, None, vec!["mx ESMTP".into()]),
                "220 mx ESMTP\r\n",
            ),
            (Reply::multi(250, None, vec![]), "250\r\n"),
            (Reply::multi(250, Some("2.0.0"), vec![]), "250 2.0.0\r\n"),
            (Reply::new(250, "2.0.0", ""), "250 2.0.0\r\n"),
            (Reply::multi(250, None, vec![String::new()]), "250\r\n"),
            (
                Reply::multi(250, None, vec![String::new(), "x".into()]),
                "250-\r\n250 x\r\n",
            ),
            // A CR/LF in the text cannot end the reply early.
            (
                Reply::new(501, "5.5.4", "bad\r\n250 forged"),
                "501 5.5.4 bad  250 forged\r\n",
            ),
        ];
        for (reply, want) in cases {
            assert_eq!(
                String::from_utf8_lossy(&reply.to_bytes()),
                want,
                "{reply:?}"
            );
        }
    }

    #[test]
    fn write_to_appends() {
        let mut out = b"250 2.0.0 OK\r\n".to_vec();
        Reply::new(221, "2.0.0", "Bye").write_to(&mut out);
        assert_eq!(out, b"250 2.0.0 OK\r\n221 2.0.0 Bye\r\n");
    }

    #[test]
    fn only_4xx_is_temporary() {
        for (code, temp) in [
            (250, false),
            (354, false),
            (421, true),
            (451, true),
            (499, true),
            (550, false),
        ] {
            assert_eq!(Reply::new(code, "x", "").is_temporary(), temp, "{code}");
        }
    }
}
