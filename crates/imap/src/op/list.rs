//! LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9, SPECIAL-USE RFC 6154 §2) and STATUS
//! (RFC 9051 §6.3.11).

use proto::imap::StatusItem;
use store::StoreError;

use crate::session::{End, Session};

/// RFC 9051 §6.3.9: `*` matches anything, `%` anything but the delimiter.
fn matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|i| matches(rest, &name[i..])),
        Some(('%', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != '/')
            .any(|i| matches(rest, &name[i..])),
        Some((c, rest)) => name.first() == Some(c) && matches(rest, &name[1..]),
    }
}

/// Case-insensitive for INBOX only (RFC 9051 §5.1).
fn name_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if matches(&p, &n) {
        return true;
    }
    name == "INBOX" && {
        let upper: Vec<char> = pattern.to_uppercase().chars().collect();
        matches(&upper, &n)
    }
}

impl Session {
    pub(crate) async fn handle_list(
        &mut self,
        tag: &str,
        reference: Vec<u8>,
        pattern: Vec<u8>,
        subscribed_only: bool,
        verb: &str,
    ) -> Result<(), End> {
        let (Some(reference), Some(pattern)) =
            (self.mailbox_name(&reference), self.mailbox_name(&pattern))
        else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        // RFC 9051 §6.3.9: an empty pattern asks for the delimiter.
        if pattern.is_empty() {
            proto::imap::response::untagged(
                &mut self.wbuf,
                &format!("{verb} (\\Noselect) \"/\" \"\""),
            );
            self.ok(tag, &format!("{verb} completed"));
            return Ok(());
        }
        let full = if reference.is_empty() || pattern.starts_with('/') {
            pattern
        } else {
            format!("{reference}/{pattern}")
        };
        let Some(account) = self.account.as_ref().map(|a| a.id) else {
            return Ok(());
        };
        let boxes = match self.ctx.store.list_mailboxes(account).await {
            Ok(b) => b,
            Err(e) => return self.store_failed(tag, e).await,
        };
        for b in &boxes {
            if !name_matches(&full, &b.name) || (subscribed_only && !b.subscribed) {
                continue;
            }
            let prefix = format!("{}/", b.name);
            let children = boxes.iter().any(|c| c.name.starts_with(&prefix));
            let mut attrs = vec![if children {
                "\\HasChildren"
            } else {
                "\\HasNoChildren"
            }];
            if let Some(special) = &b.special_use {
                attrs.push(special);
            }
            if b.subscribed && verb == "LIST" && self.rev2 {
                attrs.push("\\Subscribed");
            }
            let mut line = format!("* {verb} ({}) \"/\" ", attrs.join(" ")).into_bytes();
            line.extend(self.encode_name(&b.name));
            line.extend_from_slice(b"\r\n");
            self.wbuf.extend(line);
        }
        self.ok(tag, &format!("{verb} completed"));
        Ok(())
    }

    pub(crate) async fn handle_status(
        &mut self,
        tag: &str,
        mailbox: Vec<u8>,
        items: Vec<StatusItem>,
    ) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&mailbox) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        let Some(account) = self.account.as_ref().map(|a| a.id) else {
            return Ok(());
        };
        let snap = match self.ctx.store.mailbox_snapshot(account, &name).await {
            Ok(s) => s,
            Err(e) => return self.store_failed(tag, e).await,
        };
        let has =
            |m: &store::MessageMeta, f: &str| m.flags.iter().any(|g| g.eq_ignore_ascii_case(f));
        let values: Vec<String> = items
            .iter()
            .map(|item| match item {
                StatusItem::Messages => format!("MESSAGES {}", snap.messages.len()),
                StatusItem::UidNext => format!("UIDNEXT {}", snap.uid_next),
                StatusItem::UidValidity => format!("UIDVALIDITY {}", snap.uid_validity),
                StatusItem::Unseen => format!(
                    "UNSEEN {}",
                    snap.messages.iter().filter(|m| !has(m, "\\Seen")).count()
                ),
                StatusItem::Deleted => format!(
                    "DELETED {}",
                    snap.messages.iter().filter(|m| has(m, "\\Deleted")).count()
                ),
                StatusItem::Size => {
                    format!("SIZE {}", snap.messages.iter().map(|m| m.size).sum::<u64>())
                }
                StatusItem::Recent => "RECENT 0".to_string(),
                StatusItem::HighestModSeq => format!("HIGHESTMODSEQ {}", snap.highest_modseq),
            })
            .collect();
        let mut line = b"* STATUS ".to_vec();
        line.extend(self.encode_name(&name));
        line.extend(format!(" ({})\r\n", values.join(" ")).into_bytes());
        self.wbuf.extend(line);
        self.ok(tag, "STATUS completed");
        Ok(())
    }

    /// Answers a store failure: NO [NONEXISTENT] / [ALREADYEXISTS] / [CANNOT] (RFC 5530), or a
    /// generic temporary failure whose details go to the log only.
    pub(crate) async fn store_failed(&mut self, tag: &str, e: StoreError) -> Result<(), End> {
        match e {
            StoreError::NotFound(_) => self.no(tag, "NONEXISTENT", "no such mailbox").await,
            StoreError::AlreadyExists(_) => {
                self.no(tag, "ALREADYEXISTS", "mailbox already exists")
                    .await
            }
            StoreError::Invalid(why) => self.no(tag, "CANNOT", &why).await,
            e => {
                tracing::error!(session = %self.id, error = %e, "store failed");
                self.no(tag, "UNAVAILABLE", "temporary failure; try again later")
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn list_patterns() {
        let cases = [
            ("*", "INBOX", true),
            ("*", "a/b/c", true),
            ("%", "a", true),
            ("%", "a/b", false),
            ("a/%", "a/b", true),
            ("a/%", "a/b/c", false),
            ("a*", "a/b/c", true),
            ("inbox", "INBOX", true),
            ("sent", "Sent", false),
            ("已*", "已发送", true),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(name_matches(pattern, name), want, "{pattern} {name}");
        }
    }
}
