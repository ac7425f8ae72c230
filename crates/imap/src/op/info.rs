//! CAPABILITY (RFC 9051 §6.1.1), ID (RFC 2971), ENABLE (RFC 5161, RFC 9051 §6.3.1, RFC 7162),
//! NAMESPACE (RFC 2342, RFC 9051 §6.3.10).

use proto::imap::response;

use crate::policy::{capabilities, login_allowed};
use crate::session::{End, Session, sanitize};

impl Session {
    pub(crate) fn capabilities(&self) -> String {
        capabilities(
            self.account.is_some(),
            self.is_tls(),
            login_allowed(self.is_tls(), self.peer.ip()),
        )
    }

    pub(crate) fn handle_capability(&mut self, tag: &str) -> Result<(), End> {
        let caps = self.capabilities();
        response::untagged(&mut self.shell.wbuf, &format!("CAPABILITY {caps}"));
        self.ok(tag, "CAPABILITY completed");
        Ok(())
    }

    pub(crate) fn handle_id(
        &mut self,
        tag: &str,
        fields: Vec<(String, Option<String>)>,
    ) -> Result<(), End> {
        if !fields.is_empty() {
            let text: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        sanitize(k),
                        sanitize(v.as_deref().unwrap_or("NIL"))
                    )
                })
                .collect();
            tracing::debug!(session = %self.id, client = %text.join(" "), "ID");
        }
        response::untagged(&mut self.shell.wbuf, "ID (\"name\" \"Postroom\")");
        self.ok(tag, "ID completed");
        Ok(())
    }

    pub(crate) fn handle_enable(&mut self, tag: &str, caps: Vec<String>) -> Result<(), End> {
        let mut enabled = Vec::new();
        for cap in caps {
            match cap.as_str() {
                // RFC 6855 §3: UTF-8 mailbox names and strings.
                "UTF8=ACCEPT" => {
                    self.utf8 = true;
                    enabled.push("UTF8=ACCEPT");
                }
                // RFC 9051 §6.3.1: IMAP4rev2 implies UTF-8.
                "IMAP4REV2" => {
                    self.rev2 = true;
                    self.utf8 = true;
                    enabled.push("IMAP4rev2");
                }
                // RFC 7162 §3.1, §3.2.3: QRESYNC implies CONDSTORE.
                "CONDSTORE" => {
                    self.condstore = true;
                    enabled.push("CONDSTORE");
                }
                "QRESYNC" => {
                    self.condstore = true;
                    self.qresync = true;
                    enabled.push("QRESYNC");
                }
                _ => {}
            }
        }
        enabled.dedup();
        let mut line = "ENABLED".to_string();
        for cap in enabled {
            line.push(' ');
            line.push_str(cap);
        }
        response::untagged(&mut self.shell.wbuf, &line);
        self.ok(tag, "ENABLE completed");
        Ok(())
    }

    pub(crate) fn handle_namespace(&mut self, tag: &str) -> Result<(), End> {
        // One personal namespace, no prefix, `/` delimiter; no shared or other users'.
        response::untagged(&mut self.shell.wbuf, "NAMESPACE ((\"\" \"/\")) NIL NIL");
        self.ok(tag, "NAMESPACE completed");
        Ok(())
    }
}
