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
        Self { code, enhanced: Some(enhanced), lines: vec![text.into()] }
    }

    /// Whether the code is 4xx (temporary) — the session's error counter also uses this.
    pub fn is_temporary(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// Appends the reply in wire form (`250-...CRLF` for all but the last line, `250 ...CRLF`).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        todo!("helper: implement")
    }
}
