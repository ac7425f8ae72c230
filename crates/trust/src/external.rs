//! Outside scanners, each optional: clamd's INSTREAM (viruses), rspamd's HTTP protocol
//! (`/checkv2`) and SpamAssassin's spamd; their verdicts and symbols become reasons.
//!
//! (Being written in helper branch h/trustgate.)

use crate::{Message, Reason, Trust};

impl Trust {
    pub async fn scan_external(
        &self,
        _config: &config::Filter,
        _message: &Message<'_>,
    ) -> Vec<Reason> {
        Vec::new()
    }
}
