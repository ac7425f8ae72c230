//! Sender authentication: SPF (RFC 7208) at MAIL FROM; DKIM (RFC 6376), ARC (RFC 8617) and
//! DMARC (RFC 7489) at the end of DATA; the Authentication-Results header (RFC 8601) that
//! records them; the anti-spoofing rule for our own domains. mail-auth evaluates them.
//!
//! (Being written in helper branch h/trustauth: until then nothing is checked and the header
//! says `none`.)

use std::time::Instant;

use crate::{Client, Message, Reason, Trust};

/// The SPF result for the session's MAIL FROM (and HELO), found at MAIL time.
#[derive(Debug, Clone, Default)]
pub struct SpfCheck {
    pub reasons: Vec<Reason>,
}

/// DKIM, ARC and DMARC of one message.
#[derive(Debug, Clone, Default)]
pub struct Authentication {
    pub reasons: Vec<Reason>,
    /// The `Authentication-Results: ...` field (RFC 8601), without CRLF.
    pub header: Option<String>,
}

impl Trust {
    /// SPF for `mail_from` (the HELO name for the null reverse-path, RFC 7208 §2.4).
    pub async fn check_spf(
        &self,
        _config: &config::Filter,
        _client: &Client,
        _mail_from: &str,
    ) -> SpfCheck {
        SpfCheck::default()
    }

    /// DKIM, ARC and DMARC for `message`, with the SPF result found at MAIL.
    pub async fn authenticate(
        &self,
        _config: &config::Filter,
        _message: &Message<'_>,
        _spf: Option<&SpfCheck>,
        _deadline: Instant,
    ) -> Authentication {
        Authentication::default()
    }
}
