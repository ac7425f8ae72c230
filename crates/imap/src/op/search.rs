//! SEARCH and UID SEARCH (RFC 9051 §6.4.4), with ESEARCH RETURN options (RFC 4731). Text keys
//! match decoded headers and bodies, case-insensitively; the search strings are UTF-8.

use proto::imap::date::days_from_civil;
use proto::imap::{SearchKey, SearchReturn, SequenceSet, response};
use store::MessageMeta;

use crate::message;
use crate::session::{End, Session};

/// A message under test: its metadata, number, and (parsed lazily) its content.
struct Candidate<'a> {
    meta: &'a MessageMeta,
    seq: u32,
    last_seq: u32,
    last_uid: u32,
    raw: Option<&'a [u8]>,
}

fn needs_body(key: &SearchKey) -> bool {
    match key {
        SearchKey::Header { .. }
        | SearchKey::Body(_)
        | SearchKey::Text(_)
        | SearchKey::SentBefore(_)
        | SearchKey::SentOn(_)
        | SearchKey::SentSince(_) => true,
        SearchKey::Not(k) => needs_body(k),
        SearchKey::Or(a, b) => needs_body(a) || needs_body(b),
        SearchKey::And(keys) => keys.iter().any(needs_body),
        _ => false,
    }
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn sent_day(raw: &[u8]) -> Option<i64> {
    let msg = message::parse(raw)?;
    let d = msg.date()?;
    Some(days_from_civil(
        i64::from(d.year),
        u32::from(d.month),
        u32::from(d.day),
    ))
}

fn matches(key: &SearchKey, c: &Candidate) -> bool {
    let has = |flag: &str| c.meta.flags.iter().any(|f| f.eq_ignore_ascii_case(flag));
    let day = c.meta.internal_date.div_euclid(86_400);
    match key {
        SearchKey::All => true,
        SearchKey::Flag { flag, set } => has(flag) == *set,
        SearchKey::Recent(recent) => !*recent,
        SearchKey::Sequence(set) => set.contains(c.seq, c.last_seq),
        SearchKey::Uid(set) => set.contains(c.meta.uid, c.last_uid),
        SearchKey::Larger(n) => c.meta.size > *n,
        SearchKey::Smaller(n) => c.meta.size < *n,
        SearchKey::Before(d) => day < *d,
        SearchKey::On(d) => day == *d,
        SearchKey::Since(d) => day >= *d,
        SearchKey::SentBefore(d) => c.raw.and_then(sent_day).is_some_and(|s| s < *d),
        SearchKey::SentOn(d) => c.raw.and_then(sent_day).is_some_and(|s| s == *d),
        SearchKey::SentSince(d) => c.raw.and_then(sent_day).is_some_and(|s| s >= *d),
        SearchKey::Header { name, value } => c
            .raw
            .and_then(message::parse)
            .and_then(|m| message::header_text(&m, name))
            .is_some_and(|t| contains(&t, value)),
        SearchKey::Body(text) => c
            .raw
            .and_then(message::parse)
            .is_some_and(|m| contains(&message::body_text(&m), text)),
        SearchKey::Text(text) => c.raw.is_some_and(|raw| {
            message::parse(raw).is_some_and(|m| {
                let headers = m
                    .headers()
                    .iter()
                    .filter_map(|h| message::header_text(&m, h.name()))
                    .collect::<Vec<_>>()
                    .join("\n");
                contains(&headers, text) || contains(&message::body_text(&m), text)
            })
        }),
        SearchKey::ModSeq(n) => c.meta.modseq >= *n,
        SearchKey::Not(k) => !matches(k, c),
        SearchKey::Or(a, b) => matches(a, c) || matches(b, c),
        SearchKey::And(keys) => keys.iter().all(|k| matches(k, c)),
    }
}

impl Session {
    pub(crate) async fn handle_search(
        &mut self,
        tag: &str,
        uid: bool,
        ret: Option<Vec<SearchReturn>>,
        charset: Option<String>,
        key: SearchKey,
    ) -> Result<(), End> {
        // RFC 9051 §6.4.4: UTF-8 (and its subset US-ASCII) only.
        if let Some(cs) = &charset
            && cs != "UTF-8"
            && cs != "US-ASCII"
        {
            return self
                .no(tag, "BADCHARSET (UTF-8 US-ASCII)", "unsupported charset")
                .await;
        }
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        let mailbox = sel.id;
        let messages = sel.messages.clone();
        let body = needs_body(&key);
        let last_uid = messages.last().map_or(0, |m| m.uid);
        let mut found = Vec::new();
        for (i, meta) in messages.iter().enumerate() {
            let raw = if body {
                match self.ctx.store.read_messages(mailbox, vec![meta.uid]).await {
                    Ok(mut b) => b.pop().flatten(),
                    Err(e) => {
                        tracing::error!(session = %self.id, error = %e, "search read failed");
                        return self
                            .no(tag, "UNAVAILABLE", "cannot search now; try again later")
                            .await;
                    }
                }
            } else {
                None
            };
            let c = Candidate {
                meta,
                seq: i as u32 + 1,
                last_seq: messages.len() as u32,
                last_uid,
                raw: raw.as_deref(),
            };
            if matches(&key, &c) {
                found.push(if uid { meta.uid } else { i as u32 + 1 });
            }
        }
        // RFC 9051 §7.3.4 ESEARCH for IMAP4rev2 clients or RETURN; SEARCH otherwise.
        if ret.is_some() || self.rev2 {
            let options = ret.unwrap_or_else(|| vec![SearchReturn::All]);
            let mut line = format!("ESEARCH (TAG \"{tag}\")");
            if uid {
                line.push_str(" UID");
            }
            for o in options {
                match o {
                    SearchReturn::Min => {
                        if let Some(v) = found.iter().min() {
                            line.push_str(&format!(" MIN {v}"));
                        }
                    }
                    SearchReturn::Max => {
                        if let Some(v) = found.iter().max() {
                            line.push_str(&format!(" MAX {v}"));
                        }
                    }
                    SearchReturn::Count => line.push_str(&format!(" COUNT {}", found.len())),
                    SearchReturn::All => {
                        if !found.is_empty() {
                            line.push_str(&format!(" ALL {}", SequenceSet::format(&found)));
                        }
                    }
                }
            }
            response::untagged(&mut self.wbuf, &line);
        } else {
            let mut line = "SEARCH".to_string();
            for n in &found {
                line.push_str(&format!(" {n}"));
            }
            response::untagged(&mut self.wbuf, &line);
        }
        self.catch_up(uid).await;
        self.ok(tag, "SEARCH completed");
        Ok(())
    }
}
