//! LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9, SPECIAL-USE RFC 6154 §2), with
//! LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819), and STATUS (RFC 9051 §6.3.11).

use proto::imap::pattern::{Pattern, PatternError};
use proto::imap::{ListOptions, StatusItem};
use store::{MailboxInfo, StoreError};

use crate::session::{End, Session};

/// One LIST pattern, compiled: RFC 9051 §5.1 makes INBOX case-insensitive, so a second
/// form, uppercased, is tried on INBOX alone.
struct NamePattern {
    exact: Pattern,
    /// `None` if uppercasing made it longer than the limit (`ß` is `SS`): it could not
    /// match INBOX then anyway, which is ASCII.
    upper: Option<Pattern>,
}

impl NamePattern {
    /// RFC 9051 §6.3.9 with `/` as the delimiter; the limits are checked on the pattern as
    /// the client sent it.
    fn new(pattern: &str) -> Result<NamePattern, PatternError> {
        Ok(NamePattern {
            exact: Pattern::new(pattern, '/')?,
            upper: Pattern::new(&pattern.to_uppercase(), '/').ok(),
        })
    }

    fn matches(&self, name: &str) -> bool {
        self.exact.matches(name)
            || (name == "INBOX" && self.upper.as_ref().is_some_and(|p| p.matches(name)))
    }
}

/// The names that are descendants of `name` (`name/...`): a range of `sorted`, since every
/// name with the prefix `name/` sorts together. Found by binary search, so that listing N
/// mailboxes costs N log N, not N x N.
fn descendants<'a>(sorted: &'a [&'a MailboxInfo], name: &str) -> &'a [&'a MailboxInfo] {
    let prefix = format!("{name}/");
    let start = sorted.partition_point(|b| b.name.as_str() < prefix.as_str());
    let len = sorted[start..].partition_point(|b| b.name.starts_with(&prefix));
    &sorted[start..start + len]
}

/// RFC 9051 §6.3.9 (RFC 3501 §6.3.8): "If the "%" wildcard is the last character of a
/// mailbox name argument, matching levels of hierarchy are also returned", with \Noselect
/// when they are not mailboxes. These are the levels above mailboxes in `sorted` (by name)
/// that are no mailbox themselves (a child created alone, or a parent deleted) and that
/// `matches` accepts, each once, in order. Without them a client walking the tree with "%"
/// never finds what lies below.
fn missing_levels<'a>(
    sorted: &[&'a MailboxInfo],
    matches: impl Fn(&str) -> bool,
) -> std::collections::BTreeSet<&'a str> {
    let mut levels = std::collections::BTreeSet::new();
    for b in sorted {
        let name = b.name.as_str();
        for (i, _) in name.match_indices('/') {
            let level = &name[..i];
            if !levels.contains(level)
                && sorted
                    .binary_search_by(|m| m.name.as_str().cmp(level))
                    .is_err()
                && matches(level)
            {
                levels.insert(level);
            }
        }
    }
    levels
}

impl Session {
    /// LIST (with LIST-EXTENDED, RFC 5258 §3) and LSUB (which is LIST with selection
    /// SUBSCRIBED, without `\Subscribed`).
    pub(crate) async fn handle_list(
        &mut self,
        tag: &str,
        reference: Vec<u8>,
        patterns: Vec<Vec<u8>>,
        options: ListOptions,
        verb: &str,
    ) -> Result<(), End> {
        let Some(reference) = self.mailbox_name(&reference) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        let mut full = Vec::new();
        for p in &patterns {
            // Bounded before it is decoded or used: a literal may be as large as a message.
            if p.len() > proto::imap::pattern::MAX_PATTERN_OCTETS {
                return self
                    .no(tag, "LIMIT", &PatternError::TooLong.to_string())
                    .await;
            }
            // A pattern that is not valid modified UTF-7 (`&` alone is an ATOM-CHAR, RFC
            // 3501 §9) matches no mailbox name.
            let Some(pattern) = self.mailbox_name(p) else {
                continue;
            };
            full.push(
                if reference.is_empty() || pattern.starts_with('/') || pattern.is_empty() {
                    pattern
                } else {
                    format!("{reference}/{pattern}")
                },
            );
        }
        if full.is_empty() {
            self.ok(tag, &format!("{verb} completed"));
            return Ok(());
        }
        // RFC 9051 §6.3.9: an empty pattern asks for the delimiter.
        if full.iter().all(String::is_empty) {
            proto::imap::response::untagged(
                &mut self.shell.wbuf,
                &format!("{verb} (\\Noselect) \"/\" \"\""),
            );
            self.ok(tag, &format!("{verb} completed"));
            return Ok(());
        }
        let compiled: Result<Vec<NamePattern>, PatternError> = full
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| NamePattern::new(p))
            .collect();
        let compiled = match compiled {
            Ok(c) => c,
            // RFC 5530 §3 LIMIT: an implementation limit, not a syntax error.
            Err(e) => return self.no(tag, "LIMIT", &e.to_string()).await,
        };
        let Some(account) = self.account.as_ref().map(|a| a.id) else {
            return Ok(());
        };
        let boxes = match self.ctx.store.list_mailboxes(account).await {
            Ok(b) => b,
            Err(e) => return self.store_failed(tag, e).await,
        };
        let matched = |name: &str| compiled.iter().any(|p| p.matches(name));
        let mut sorted: Vec<&MailboxInfo> = boxes.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        // RFC 5258 §3.1, RFC 6154 §5.1: what the selection options keep.
        let selected = |b: &MailboxInfo| {
            (!options.subscribed || b.subscribed)
                && (!options.special_use || b.special_use.is_some())
        };
        let show_subscribed =
            verb == "LIST" && (options.subscribed || options.return_subscribed || self.rev2);
        for b in &boxes {
            if !matched(&b.name) {
                continue;
            }
            let below = descendants(&sorted, &b.name);
            // RFC 5258 §3.5 RECURSIVEMATCH: CHILDINFO when a descendant meets the selection
            // but is not listed itself (the patterns do not match it).
            let child_info = options.recursive_match
                && options.subscribed
                && below.iter().any(|c| selected(c) && !matched(&c.name));
            if !selected(b) && !child_info {
                continue;
            }
            let mut attrs = vec![if !below.is_empty() {
                "\\HasChildren"
            } else {
                "\\HasNoChildren"
            }];
            if let Some(special) = &b.special_use {
                attrs.push(special);
            }
            if b.subscribed && show_subscribed {
                attrs.push("\\Subscribed");
            }
            let mut line = format!("* {verb} ({}) \"/\" ", attrs.join(" ")).into_bytes();
            line.extend(self.encode_name(&b.name));
            if child_info {
                line.extend_from_slice(b" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
            }
            line.extend_from_slice(b"\r\n");
            self.shell.wbuf.extend(line);
            // RFC 5819 §2: the STATUS of each listed (selectable) mailbox follows its LIST.
            if let Some(items) = &options.status
                && selected(b)
            {
                match self.status_line(account, &b.name, items).await {
                    Ok(line) => self.shell.wbuf.extend(line),
                    Err(e) => {
                        tracing::warn!(session = %self.id, error = %e, "STATUS in LIST failed")
                    }
                }
            }
        }
        // RFC 5258 §3.4: with selection SUBSCRIBED (and in LSUB), names still subscribed
        // whose mailbox was deleted: \NonExistent (\Noselect in LSUB).
        if options.subscribed {
            let lost = match self.ctx.store.lost_subscriptions(account).await {
                Ok(l) => l,
                Err(e) => return self.store_failed(tag, e).await,
            };
            let attrs = if verb == "LSUB" {
                "\\Noselect"
            } else {
                "\\NonExistent \\Subscribed"
            };
            for name in lost.iter().filter(|n| matched(n)) {
                let mut line = format!("* {verb} ({attrs}) \"/\" ").into_bytes();
                line.extend(self.encode_name(name));
                line.extend_from_slice(b"\r\n");
                self.shell.wbuf.extend(line);
            }
        }
        // RFC 5258 §3.5: a level that is no mailbox (a parent never created or deleted)
        // whose subscribed descendant the patterns do not match is listed with CHILDINFO.
        if options.recursive_match && options.subscribed {
            let unmatched_subscribed = |level: &str| {
                descendants(&sorted, level)
                    .iter()
                    .any(|c| selected(c) && !matched(&c.name))
            };
            for level in missing_levels(&sorted, |n| matched(n) && unmatched_subscribed(n)) {
                let mut line = b"* LIST (\\NonExistent \\HasChildren) \"/\" ".to_vec();
                line.extend(self.encode_name(level));
                line.extend_from_slice(b" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
                self.shell.wbuf.extend(line);
            }
        }
        // RFC 3501 §6.3.9: LSUB with "%" lists a level that is not subscribed (or no
        // mailbox) but has subscribed mailboxes below, with \Noselect.
        if verb == "LSUB" {
            let walking: Vec<NamePattern> = full
                .iter()
                .filter(|p| p.ends_with('%'))
                .filter_map(|p| NamePattern::new(p).ok())
                .collect();
            let subscribed: Vec<&MailboxInfo> =
                sorted.iter().copied().filter(|b| b.subscribed).collect();
            let mut levels = std::collections::BTreeSet::new();
            for b in &subscribed {
                for (i, _) in b.name.match_indices('/') {
                    let level = &b.name[..i];
                    let listed = subscribed
                        .binary_search_by(|m| m.name.as_str().cmp(level))
                        .is_ok();
                    if !listed && walking.iter().any(|p| p.matches(level)) {
                        levels.insert(level);
                    }
                }
            }
            for level in levels {
                let mut line = b"* LSUB (\\Noselect) \"/\" ".to_vec();
                line.extend(self.encode_name(level));
                line.extend_from_slice(b"\r\n");
                self.shell.wbuf.extend(line);
            }
        }
        if verb == "LIST" && !options.subscribed && !options.special_use {
            let walking: Vec<NamePattern> = full
                .iter()
                .filter(|p| p.ends_with('%'))
                .filter_map(|p| NamePattern::new(p).ok())
                .collect();
            for level in missing_levels(&sorted, |name| walking.iter().any(|p| p.matches(name))) {
                let mut line = b"* LIST (\\Noselect \\HasChildren) \"/\" ".to_vec();
                line.extend(self.encode_name(level));
                line.extend_from_slice(b"\r\n");
                self.shell.wbuf.extend(line);
            }
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
        match self.status_line(account, &name, &items).await {
            Ok(line) => {
                self.shell.wbuf.extend(line);
                self.ok(tag, "STATUS completed");
                Ok(())
            }
            Err(e) => self.store_failed(tag, e).await,
        }
    }

    /// `* STATUS name (items)` CRLF (RFC 9051 §7.3.2).
    async fn status_line(
        &self,
        account: i64,
        name: &str,
        items: &[StatusItem],
    ) -> Result<Vec<u8>, StoreError> {
        let snap = self.ctx.store.mailbox_snapshot(account, name).await?;
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
                // RFC 3501 §6.3.10: the messages no session has claimed as \Recent yet.
                StatusItem::Recent => format!(
                    "RECENT {}",
                    snap.messages
                        .iter()
                        .filter(|m| m.uid >= snap.recent_uid)
                        .count()
                ),
                StatusItem::HighestModSeq => format!("HIGHESTMODSEQ {}", snap.highest_modseq),
            })
            .collect();
        let mut line = b"* STATUS ".to_vec();
        line.extend(self.encode_name(name));
        line.extend(format!(" ({})\r\n", values.join(" ")).into_bytes());
        Ok(line)
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
    use super::NamePattern;

    fn name_matches(pattern: &str, name: &str) -> bool {
        NamePattern::new(pattern).is_ok_and(|p| p.matches(name))
    }

    /// The wildcards themselves are tested in `proto::imap::pattern`; here, INBOX.
    #[test]
    fn inbox_alone_matches_in_any_case() {
        assert!(name_matches("inbox", "INBOX"));
        assert!(name_matches("In%", "INBOX"));
        assert!(!name_matches("sent", "Sent"));
        assert!(!name_matches("inbox/%", "INBOX/a"));
    }
}
