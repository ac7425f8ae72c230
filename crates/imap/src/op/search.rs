//! SEARCH and UID SEARCH (RFC 9051 §6.4.4), with ESEARCH RETURN options (RFC 4731). Text keys
//! match decoded headers and bodies, case-insensitively; the search strings are UTF-8.

use std::cell::OnceCell;
use std::sync::Arc;

use mail_parser::Message;
use proto::imap::date::days_from_civil;
use proto::imap::{SearchArgs, SearchKey, SearchReturn, SequenceSet, response};
use store::{MessageMeta, StoreError};

use super::cpu::{self, CpuError};
use super::search_text::{self, Texts};
use crate::message;
use crate::session::{End, Session};

/// Why a search gave no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SearchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cpu(#[from] CpuError),
}

/// Up to this many messages, a search on metadata alone runs in the session's task.
const INLINE_MESSAGES: usize = 1024;

/// A message under test: its metadata, number, and content.
struct Candidate<'a> {
    meta: &'a MessageMeta,
    seq: u32,
    last_seq: u32,
    last_uid: u32,
    content: Option<Content<'a>>,
}

/// A message's content, parsed at most once however many keys read it, and its texts
/// decoded and lowercased at most once (`search_text.rs` says which texts).
struct Content<'a> {
    raw: &'a [u8],
    msg: OnceCell<Option<Message<'a>>>,
    texts: OnceCell<Texts>,
}

impl<'a> Content<'a> {
    fn new(raw: &'a [u8]) -> Self {
        Content {
            raw,
            msg: OnceCell::new(),
            texts: OnceCell::new(),
        }
    }

    /// The parsed message; past `shape`'s limits, its header alone.
    fn msg(&self) -> Option<&Message<'a>> {
        self.msg
            .get_or_init(|| message::parse(self.raw).or_else(|| message::parse_header(self.raw)))
            .as_ref()
    }

    fn texts(&self) -> Option<&Texts> {
        let msg = self.msg()?;
        Some(self.texts.get_or_init(|| Texts::of(msg)))
    }

    fn headers(&self) -> &str {
        self.texts().map_or("", |t| &t.headers)
    }

    fn body(&self) -> &str {
        self.texts().map_or("", |t| &t.body)
    }

    fn header(&self, name: &str) -> Option<String> {
        search_text::field(self.msg()?, name).map(|t| t.to_lowercase())
    }

    /// The day of the Date header as written (RFC 9051 §6.4.4: disregarding time and
    /// timezone). A message without a readable Date counts as sent on 1 January 1970, as
    /// in Dovecot (its sent date is then 0): SENTBEFORE finds it, SENTSINCE does not.
    fn sent_day(&self) -> Option<i64> {
        let msg = self.msg()?;
        Some(msg.date().map_or(0, |d| {
            days_from_civil(i64::from(d.year), u32::from(d.month), u32::from(d.day))
        }))
    }
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

/// Whether the key uses MODSEQ anywhere (RFC 7162 §3.1.5).
fn uses_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq(_) => true,
        SearchKey::Not(k) => uses_modseq(k),
        SearchKey::Or(a, b) => uses_modseq(a) || uses_modseq(b),
        SearchKey::And(keys) => keys.iter().any(uses_modseq),
        _ => false,
    }
}

/// The recursion is as deep as the key, which the parser bounds (`proto::imap::MAX_DEPTH`).
fn matches(key: &SearchKey, c: &Candidate) -> bool {
    let has = |flag: &str| c.meta.flags.iter().any(|f| f.eq_ignore_ascii_case(flag));
    let day = c.meta.internal_date.div_euclid(86_400);
    let sent = || c.content.as_ref().and_then(Content::sent_day);
    let text = |f: &dyn Fn(&Content) -> bool| c.content.as_ref().is_some_and(f);
    match key {
        SearchKey::All => true,
        SearchKey::Flag { flag, set } => has(flag) == *set,
        // The session's `\Recent` is among the flags it shows (`selected.rs`).
        SearchKey::Recent(recent) => has("\\Recent") == *recent,
        SearchKey::Sequence(set) => set.contains(c.seq, c.last_seq),
        SearchKey::Uid(set) => set.contains(c.meta.uid, c.last_uid),
        SearchKey::Larger(n) => c.meta.size > *n,
        SearchKey::Smaller(n) => c.meta.size < *n,
        SearchKey::Before(d) => day < *d,
        SearchKey::On(d) => day == *d,
        SearchKey::Since(d) => day >= *d,
        SearchKey::SentBefore(d) => sent().is_some_and(|s| s < *d),
        SearchKey::SentOn(d) => sent().is_some_and(|s| s == *d),
        SearchKey::SentSince(d) => sent().is_some_and(|s| s >= *d),
        SearchKey::Header { name, value } => text(&|m| {
            m.header(name)
                .is_some_and(|t| t.contains(&value.to_lowercase()))
        }),
        SearchKey::Body(needle) => text(&|m| m.body().contains(&needle.to_lowercase())),
        SearchKey::Text(needle) => text(&|m| {
            let needle = needle.to_lowercase();
            m.headers().contains(&needle) || m.body().contains(&needle)
        }),
        SearchKey::ModSeq(n) => c.meta.modseq >= *n,
        SearchKey::Not(k) => !matches(k, c),
        SearchKey::Or(a, b) => matches(a, c) || matches(b, c),
        SearchKey::And(keys) => keys.iter().all(|k| matches(k, c)),
    }
}

/// RFC 9051 §6.4.4, RFC 5256 §3: every charset encoding_rs decodes (the parser decoded the
/// search strings already).
pub(crate) fn charset_supported(charset: &str) -> bool {
    proto::imap::charset::lookup(charset).is_some()
}

/// `indexes` cut into read batches: at most 256 messages or about 8 MiB each, so one store
/// round trip serves many small messages and large ones are not all held at once.
pub(crate) fn batches<'a>(
    messages: &[MessageMeta],
    indexes: &'a [usize],
) -> impl Iterator<Item = &'a [usize]> {
    const COUNT: usize = 256;
    const BYTES: u64 = 8 << 20;
    let mut rest = indexes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut n = 0;
        while n < rest.len() && n < COUNT && (n == 0 || bytes < BYTES) {
            bytes += messages[rest[n]].size;
            n += 1;
        }
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        Some(batch)
    })
}

impl Session {
    /// The indexes of the selected messages that match `key`, in mailbox order. Keys on
    /// flags, sizes and dates run here; keys on content run batch by batch on the blocking
    /// pool (`cpu.rs`), each message parsed once for all of them.
    pub(crate) async fn search_indexes(&self, key: &SearchKey) -> Result<Vec<usize>, SearchError> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(Vec::new());
        };
        let last_uid = sel.messages.last().map_or(0, |m| m.uid);
        let last_seq = sel.messages.len() as u32;
        let all: Vec<usize> = (0..sel.messages.len()).collect();
        let on_meta = move |key: &SearchKey, metas: &[MessageMeta]| -> Vec<usize> {
            (0..metas.len())
                .filter(|&i| {
                    let c = Candidate {
                        meta: &metas[i],
                        seq: i as u32 + 1,
                        last_seq,
                        last_uid,
                        content: None,
                    };
                    matches(key, &c)
                })
                .collect()
        };
        if !needs_body(key) {
            // Flags and numbers only: cheap per message, but a key may hold sequence sets of
            // thousands of ranges, so a large mailbox goes to the blocking pool too.
            if sel.messages.len() <= INLINE_MESSAGES {
                return Ok(on_meta(key, &sel.messages));
            }
            let key = key.clone();
            let metas = sel.messages.clone();
            return Ok(cpu::run(move || on_meta(&key, &metas)).await?);
        }
        let key = Arc::new(key.clone());
        let mut found = Vec::new();
        for batch in batches(&sel.messages, &all) {
            let uids = batch.iter().map(|&i| sel.messages[i].uid).collect();
            let bodies = self.ctx.store.read_messages(sel.id, uids).await?;
            let items: Vec<(usize, MessageMeta, Option<Vec<u8>>)> = batch
                .iter()
                .zip(bodies)
                .map(|(&i, raw)| (i, sel.messages[i].clone(), raw))
                .collect();
            let key = Arc::clone(&key);
            let hits = cpu::run(move || {
                items
                    .iter()
                    .filter(|(i, meta, raw)| {
                        let c = Candidate {
                            meta,
                            seq: *i as u32 + 1,
                            last_seq,
                            last_uid,
                            content: raw.as_deref().map(Content::new),
                        };
                        matches(&key, &c)
                    })
                    .map(|(i, _, _)| *i)
                    .collect::<Vec<usize>>()
            })
            .await?;
            found.extend(hits);
        }
        Ok(found)
    }

    /// SORT and THREAD's start (RFC 5256 §3): the charset must be one known (else NO
    /// [BADCHARSET]), then the search. `None` when the answer was sent already.
    pub(crate) async fn sort_search(
        &mut self,
        tag: &str,
        charset: &str,
        key: &SearchKey,
    ) -> Result<Option<Vec<usize>>, End> {
        if !charset_supported(charset) {
            self.bad_charset(tag).await?;
            return Ok(None);
        }
        match self.search_indexes(key).await {
            Ok(i) => Ok(Some(i)),
            Err(e) => self.search_failed(tag, e).await.map(|()| None),
        }
    }

    /// A message's number or UID, as the command asked.
    pub(crate) fn number(&self, index: usize, uid: bool) -> u32 {
        match (uid, self.selected.as_ref()) {
            (true, Some(sel)) => sel.messages.get(index).map_or(0, |m| m.uid),
            _ => index as u32 + 1,
        }
    }

    /// RFC 9051 §6.4.4, RFC 3501 §7.1: NO [BADCHARSET (...)] with the charsets supported.
    pub(crate) async fn bad_charset(&mut self, tag: &str) -> Result<(), End> {
        let code = format!(
            "BADCHARSET ({})",
            proto::imap::charset::SEARCH_CHARSETS.join(" ")
        );
        self.no(tag, &code, "unsupported charset").await
    }

    pub(crate) async fn search_failed(&mut self, tag: &str, e: SearchError) -> Result<(), End> {
        tracing::error!(session = %self.id, error = %e, "search read failed");
        self.no(tag, "UNAVAILABLE", "cannot search now; try again later")
            .await
    }

    pub(crate) async fn handle_search(&mut self, tag: &str, args: SearchArgs) -> Result<(), End> {
        let SearchArgs {
            uid,
            ret,
            charset,
            key,
        } = args;
        if !charset.as_deref().is_none_or(charset_supported) {
            return self.bad_charset(tag).await;
        }
        let indexes = match self.search_indexes(&key).await {
            Ok(indexes) => indexes,
            Err(e) => return self.search_failed(tag, e).await,
        };
        let found: Vec<u32> = indexes.iter().map(|&i| self.number(i, uid)).collect();
        // RFC 7162 §3.1.5: a search by MODSEQ enables CONDSTORE and reports the highest
        // MODSEQ of the messages found.
        let modseq = if uses_modseq(&key) {
            self.enable_condstore();
            let sel = self.selected.as_ref();
            // RFC 7162 §3.1.5: with only MIN and/or MAX returned, the highest MODSEQ of the
            // messages returned, not of all found.
            let only_ends = ret.as_ref().is_some_and(|r| {
                !r.is_empty()
                    && r.iter()
                        .all(|o| matches!(o, SearchReturn::Min | SearchReturn::Max))
            });
            let reported: Vec<usize> = match (only_ends, indexes.first(), indexes.last()) {
                (true, Some(&first), Some(&last)) => ret
                    .iter()
                    .flatten()
                    .map(|o| if *o == SearchReturn::Min { first } else { last })
                    .collect(),
                _ => indexes.clone(),
            };
            reported
                .iter()
                .filter_map(|&i| sel.and_then(|s| s.messages.get(i)).map(|m| m.modseq))
                .max()
        } else {
            None
        };
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
            if let Some(m) = modseq {
                line.push_str(&format!(" MODSEQ {m}"));
            }
            response::untagged(&mut self.shell.wbuf, &line);
        } else {
            let mut line = "SEARCH".to_string();
            for n in &found {
                line.push_str(&format!(" {n}"));
            }
            if let Some(m) = modseq {
                line.push_str(&format!(" (MODSEQ {m})"));
            }
            response::untagged(&mut self.shell.wbuf, &line);
        }
        self.catch_up(uid).await;
        self.ok(tag, "SEARCH completed");
        Ok(())
    }
}
