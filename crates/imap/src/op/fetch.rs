//! FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2). BODY[...] and RFC822(.TEXT) set `\Seen`
//! unless PEEK or the mailbox is read-only. CONDSTORE's MODSEQ and CHANGEDSINCE, QRESYNC's
//! VANISHED modifier (RFC 7162 §3.1.4, §3.2.6).

use std::collections::HashMap;
use std::sync::Arc;

use proto::imap::date::format_date_time;
use proto::imap::response::{self, literal};
use proto::imap::{FetchAttr, Section, SectionText, SequenceSet};
use store::{FlagOp, StoreError};

use super::prefetch::Prefetch;
use super::summary;
use crate::message;
use crate::selected::flag_list;
use crate::session::{End, Session};

/// Output queued beyond this is sent before the next message.
const FLUSH_AT: usize = 256 * 1024;

/// Messages per step of the walk: summaries looked up and stored, bodies planned.
const CHUNK: usize = 512;

/// `BODY[1.HEADER.FIELDS (A B)]`: the section as the response names it.
fn section_name(s: &Section) -> String {
    let mut spec: Vec<String> = s.part.iter().map(u32::to_string).collect();
    match &s.text {
        SectionText::Full => {}
        SectionText::Header => spec.push("HEADER".into()),
        SectionText::Text => spec.push("TEXT".into()),
        SectionText::Mime => spec.push("MIME".into()),
        // Field names upper-cased, as Dovecot answers (clients match names case-insensitively).
        SectionText::HeaderFields { names, not } => spec.push(format!(
            "HEADER.FIELDS{} ({})",
            if *not { ".NOT" } else { "" },
            names.join(" ").to_ascii_uppercase()
        )),
    }
    format!(
        "{}[{}]",
        if s.binary { "BINARY" } else { "BODY" },
        spec.join(".")
    )
}

impl Session {
    pub(crate) async fn handle_fetch(
        &mut self,
        tag: &str,
        uid: bool,
        set: SequenceSet,
        mut attrs: Vec<FetchAttr>,
        changed_since: Option<(u64, bool)>,
    ) -> Result<(), End> {
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        if !uid && !sel.valid_numbers(&set) {
            // RFC 9051 §6.4.8: a number that does not exist is a BAD.
            return self.bad(Some(tag), "no such message").await;
        }
        // RFC 7162 §3.2.6: VANISHED only in UID FETCH, once QRESYNC is enabled.
        if changed_since.is_some_and(|(_, vanished)| vanished) && !(uid && self.qresync) {
            return self
                .bad(Some(tag), "VANISHED needs UID FETCH and ENABLE QRESYNC")
                .await;
        }
        // RFC 9051 §6.4.8: UID FETCH always includes UID.
        if uid && !attrs.contains(&FetchAttr::Uid) {
            attrs.insert(0, FetchAttr::Uid);
        }
        // RFC 7162 §3.1: FETCH MODSEQ and CHANGEDSINCE enable CONDSTORE; §3.1.4.1:
        // CHANGEDSINCE implies MODSEQ.
        if changed_since.is_some() && !attrs.contains(&FetchAttr::ModSeq) {
            attrs.push(FetchAttr::ModSeq);
        }
        if attrs.contains(&FetchAttr::ModSeq) {
            self.enable_condstore();
        }
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        let mut indexes = sel.resolve(&set, uid);
        if let Some((since, vanished)) = changed_since {
            indexes.retain(|&i| sel.messages[i].modseq > since);
            if vanished {
                let (account, mailbox) = (self.account.as_ref().map_or(0, |a| a.id), sel.id);
                match self.ctx.store.vanished_since(account, mailbox, since).await {
                    Ok(gone) => {
                        // `*` reaches past the last UID in use: expunged UIDs may be above it.
                        // A pruned record gives every UID not in the mailbox (§3.2.6 allows).
                        let gone: Vec<u32> = gone
                            .uids
                            .into_iter()
                            .filter(|&u| set.contains(u, u32::MAX))
                            .collect();
                        if !gone.is_empty() {
                            let line = format!("VANISHED (EARLIER) {}", SequenceSet::format(&gone));
                            response::untagged(&mut self.shell.wbuf, &line);
                        }
                    }
                    Err(e) => return self.store_failed(tag, e).await,
                }
            }
        }
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        let (mailbox, read_only) = (sel.id, sel.read_only);
        // \Seen first, so the FLAGS sent below are the new ones.
        if !read_only && attrs.iter().any(FetchAttr::sets_seen) {
            let unseen: Vec<u32> = indexes
                .iter()
                .map(|&i| &sel.messages[i])
                .filter(|m| !m.flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")))
                .map(|m| m.uid)
                .collect();
            if !unseen.is_empty() {
                let account = self.account.as_ref().map_or(0, |a| a.id);
                let seen = vec!["\\Seen".into()];
                match self
                    .ctx
                    .store
                    .store_flags(account, mailbox, unseen, FlagOp::Add, seen, None)
                    .await
                {
                    Ok(stored) => {
                        // Only \\Seen was added: no keyword to announce.
                        if let Some(sel) = self.selected.as_mut() {
                            sel.apply(&stored.updates);
                        }
                        if !attrs.contains(&FetchAttr::Flags) {
                            attrs.push(FetchAttr::Flags);
                        }
                        // RFC 7162 §3.2: a flag change told under CONDSTORE carries MODSEQ.
                        if self.condstore && !attrs.contains(&FetchAttr::ModSeq) {
                            attrs.push(FetchAttr::ModSeq);
                        }
                    }
                    Err(e) => return self.store_failed(tag, e).await,
                }
            }
        }
        let needs_body = attrs.iter().any(|a| {
            !matches!(
                a,
                FetchAttr::Flags
                    | FetchAttr::Uid
                    | FetchAttr::InternalDate
                    | FetchAttr::Rfc822Size
                    | FetchAttr::ModSeq
            )
        });
        // ENVELOPE and BODYSTRUCTURE come from the summary cache; when they are the only
        // items needing the message, cached messages are not read at all.
        let summary_attr = |a: &FetchAttr| {
            matches!(
                a,
                FetchAttr::Envelope | FetchAttr::Body | FetchAttr::BodyStructure
            )
        };
        let needs_summary = attrs.iter().any(summary_attr);
        let only_summary = attrs.iter().all(|a| {
            summary_attr(a)
                || matches!(
                    a,
                    FetchAttr::Flags
                        | FetchAttr::Uid
                        | FetchAttr::InternalDate
                        | FetchAttr::Rfc822Size
                        | FetchAttr::ModSeq
                )
        });
        let uid_validity = self.selected.as_ref().map_or(0, |s| s.uid_validity);
        let utf8 = self.utf8;
        let key = |uid: u32| (mailbox, uid_validity, uid, utf8);
        // The walk goes in chunks: the summaries a chunk has already (memory, then store) are
        // found first, so only the other messages are read and parsed; what is parsed is
        // stored in the background, awaited before the tagged OK.
        let mut prefetch = Prefetch::new(mailbox, &[], &[]);
        let mut known = HashMap::new();
        let mut computed = Vec::new();
        let mut saves = Vec::new();
        for (n, &i) in indexes.iter().enumerate() {
            if n % CHUNK == 0 {
                saves.extend(summary::save(
                    &self.ctx.store,
                    mailbox,
                    utf8,
                    std::mem::take(&mut computed),
                ));
                let chunk = &indexes[n..indexes.len().min(n + CHUNK)];
                let uids: Vec<u32> = match self.selected.as_ref() {
                    Some(sel) => chunk.iter().map(|&i| sel.messages[i].uid).collect(),
                    None => break,
                };
                if needs_summary {
                    known =
                        summary::load(&self.ctx.store, (mailbox, uid_validity, utf8), &uids).await;
                }
                if let Some(sel) = self.selected.as_ref().filter(|_| needs_body) {
                    let to_read: Vec<usize> = chunk
                        .iter()
                        .copied()
                        .filter(|&i| !only_summary || !known.contains_key(&sel.messages[i].uid))
                        .collect();
                    prefetch = Prefetch::new(mailbox, &sel.messages, &to_read);
                }
            }
            let Some(m) = self
                .selected
                .as_ref()
                .and_then(|s| s.messages.get(i))
                .cloned()
            else {
                continue;
            };
            let cached = needs_summary.then(|| known.get(&m.uid).cloned()).flatten();
            let raw = if needs_body && !(only_summary && cached.is_some()) {
                match prefetch.body(&self.ctx.store, m.uid).await {
                    Ok(body) => match body {
                        Some(b) => Some(b),
                        // Expunged by another session meanwhile: RFC 9051 §7.5.1 lets us
                        // leave it out; the EXPUNGE follows at the next chance.
                        None => continue,
                    },
                    Err(StoreError::NotFound(_)) => continue,
                    Err(e) => {
                        tracing::error!(session = %self.id, error = %e, "reading a message failed");
                        return self
                            .no(
                                tag,
                                "UNAVAILABLE",
                                "cannot read the message; try again later",
                            )
                            .await;
                    }
                }
            } else {
                None
            };
            let raw = raw.unwrap_or_default();
            let summary = match cached {
                Some(s) => Some(s),
                None if needs_summary => {
                    let s = summary::compute(key(m.uid), &raw);
                    computed.push((m.uid, Arc::clone(&s)));
                    Some(s)
                }
                None => None,
            };
            let mut out = format!("* {} FETCH (", i + 1).into_bytes();
            for (k, attr) in attrs.iter().enumerate() {
                if k > 0 {
                    out.push(b' ');
                }
                match attr {
                    FetchAttr::Flags => {
                        out.extend(format!("FLAGS {}", flag_list(&m.flags)).into_bytes())
                    }
                    FetchAttr::Uid => out.extend(format!("UID {}", m.uid).into_bytes()),
                    FetchAttr::InternalDate => out.extend(
                        format!("INTERNALDATE {}", format_date_time(m.internal_date)).into_bytes(),
                    ),
                    FetchAttr::Rfc822Size => {
                        out.extend(format!("RFC822.SIZE {}", m.size).into_bytes())
                    }
                    FetchAttr::ModSeq => out.extend(format!("MODSEQ ({})", m.modseq).into_bytes()),
                    FetchAttr::Envelope => {
                        out.extend_from_slice(b"ENVELOPE ");
                        if let Some(s) = &summary {
                            out.extend_from_slice(&s.envelope);
                        }
                    }
                    FetchAttr::Body | FetchAttr::BodyStructure => {
                        out.extend_from_slice(if *attr == FetchAttr::Body {
                            b"BODY "
                        } else {
                            b"BODYSTRUCTURE "
                        });
                        if let Some(s) = &summary {
                            // BODY is BODYSTRUCTURE without extension data (RFC 9051 §7.5.2).
                            let attr_body = *attr == FetchAttr::Body;
                            out.extend_from_slice(if attr_body { &s.body } else { &s.structure });
                        }
                    }
                    FetchAttr::Rfc822 => {
                        out.extend_from_slice(b"RFC822 ");
                        literal(&mut out, &raw);
                    }
                    FetchAttr::Rfc822Header | FetchAttr::Rfc822Text => {
                        let (name, text) = if *attr == FetchAttr::Rfc822Header {
                            ("RFC822.HEADER ", SectionText::Header)
                        } else {
                            ("RFC822.TEXT ", SectionText::Text)
                        };
                        let s = Section {
                            part: vec![],
                            text,
                            partial: None,
                            peek: true,
                            binary: false,
                        };
                        out.extend_from_slice(name.as_bytes());
                        literal(&mut out, &message::section(&raw, &s).unwrap_or_default());
                    }
                    FetchAttr::BinarySize(part) => {
                        let s = Section {
                            part: part.clone(),
                            text: SectionText::Full,
                            partial: None,
                            peek: true,
                            binary: true,
                        };
                        let n = message::section(&raw, &s).map_or(0, |d| d.len());
                        let spec: Vec<String> = part.iter().map(u32::to_string).collect();
                        out.extend(format!("BINARY.SIZE[{}] {n}", spec.join(".")).into_bytes());
                    }
                    FetchAttr::Section(s) => {
                        let data = message::section(&raw, s).unwrap_or_default();
                        out.extend(section_name(s).into_bytes());
                        let data = match s.partial {
                            // RFC 9051 §6.4.5: `<offset>` in the response; past the end is
                            // an empty string.
                            Some((offset, len)) => {
                                out.extend(format!("<{offset}>").into_bytes());
                                let start = (offset as usize).min(data.len());
                                let end = start.saturating_add(len as usize).min(data.len());
                                data[start..end].to_vec()
                            }
                            None => data,
                        };
                        out.push(b' ');
                        if s.binary && data.contains(&0) {
                            // RFC 3516 §4.2: literal8 for data with NUL.
                            out.push(b'~');
                        }
                        literal(&mut out, &data);
                    }
                }
            }
            out.extend_from_slice(b")\r\n");
            self.shell.wbuf.extend(out);
            if self.shell.wbuf.len() >= FLUSH_AT {
                self.flush().await?;
            }
        }
        saves.extend(summary::save(&self.ctx.store, mailbox, utf8, computed));
        for save in saves {
            // A failed save was logged; the next FETCH parses again.
            let _ = save.await;
        }
        self.catch_up(uid).await;
        self.ok(tag, "FETCH completed");
        Ok(())
    }
}
