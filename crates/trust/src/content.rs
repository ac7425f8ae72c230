//! The content filter: header, body and URL rules, the Bayesian classifier per account and
//! per domain (which learns when a user moves a message into or out of Junk), and the
//! allow and block lists per user and per domain.
//!
//! (Being written in helper branch h/trustcontent.)

use crate::{Message, Reason, Trust};

impl Trust {
    pub async fn score_content(
        &self,
        _config: &config::Filter,
        _message: &Message<'_>,
    ) -> Vec<Reason> {
        Vec::new()
    }
}
