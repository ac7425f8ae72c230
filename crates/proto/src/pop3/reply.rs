//! Single-line responses (`+OK`, `-ERR` with an optional response code) and SASL
//! challenges.

/// Extended response codes (RFC 2449 §8, RFC 3206, RFC 6856), written in brackets after
/// `-ERR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RespCode {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449 §8.1.1).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 §8.1.2).
    LoginDelay,
    /// `[SYS/TEMP]`: a temporary problem on the server; try later (RFC 3206 §4).
    SysTemp,
    /// `[SYS/PERM]`: a permanent problem on the server (RFC 3206 §4).
    SysPerm,
    /// `[AUTH]`: the credentials, or the way they were sent, were refused (RFC 3206 §5).
    Auth,
    /// `[UTF8]`: the command needs UTF8 mode (RFC 6856 §3).
    Utf8,
}

impl RespCode {
    pub fn as_str(self) -> &'static str {
        match self {
            RespCode::InUse => "IN-USE",
            RespCode::LoginDelay => "LOGIN-DELAY",
            RespCode::SysTemp => "SYS/TEMP",
            RespCode::SysPerm => "SYS/PERM",
            RespCode::Auth => "AUTH",
            RespCode::Utf8 => "UTF8",
        }
    }
}

/// A single-line response (RFC 1939 §3): `+OK text` or `-ERR [CODE] text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub ok: bool,
    pub code: Option<RespCode>,
    pub text: String,
}

impl Reply {
    pub fn ok(text: impl Into<String>) -> Self {
        Reply {
            ok: true,
            code: None,
            text: text.into(),
        }
    }

    pub fn err(text: impl Into<String>) -> Self {
        Reply {
            ok: false,
            code: None,
            text: text.into(),
        }
    }

    /// `-ERR [CODE] text`.
    pub fn err_code(code: RespCode, text: impl Into<String>) -> Self {
        Reply {
            ok: false,
            code: Some(code),
            text: text.into(),
        }
    }

    /// Appends the response line. A CR or LF in the text would end the line early (and let
    /// text that came from a client forge a response), so each is written as a space.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.ok { b"+OK" } else { b"-ERR" });
        if let Some(code) = self.code {
            out.extend_from_slice(b" [");
            out.extend_from_slice(code.as_str().as_bytes());
            out.push(b']');
        }
        if !self.text.is_empty() {
            out.push(b' ');
            out.extend(
                self.text
                    .bytes()
                    .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
            );
        }
        out.extend_from_slice(b"\r\n");
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

/// A SASL server challenge: `+ base64` (RFC 5034 §4). An empty challenge is `+ `.
pub fn write_challenge(base64: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"+ ");
    out.extend_from_slice(base64.as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replies_table() {
        let cases: &[(Reply, &str)] = &[
            (Reply::ok(""), "+OK\r\n"),
            (Reply::ok("2 200"), "+OK 2 200\r\n"),
            (Reply::err("no such message"), "-ERR no such message\r\n"),
            (
                Reply::err_code(RespCode::InUse, "maildrop in use"),
                "-ERR [IN-USE] maildrop in use\r\n",
            ),
            (
                Reply::err_code(RespCode::SysTemp, "try later"),
                "-ERR [SYS/TEMP] try later\r\n",
            ),
            (Reply::err("a\r\n+OK forged"), "-ERR a  +OK forged\r\n"),
        ];
        for (reply, want) in cases {
            assert_eq!(String::from_utf8_lossy(&reply.to_bytes()), *want);
        }
    }

    #[test]
    fn writes_challenges() {
        let mut out = Vec::new();
        write_challenge("", &mut out);
        write_challenge("VXNlcm5hbWU6", &mut out);
        assert_eq!(out, b"+ \r\n+ VXNlcm5hbWU6\r\n");
    }
}
