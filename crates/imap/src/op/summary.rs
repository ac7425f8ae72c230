//! ENVELOPE and BODYSTRUCTURE of a message, computed once (as Dovecot keeps them in its index
//! cache): a stored message never changes, and (mailbox, UIDVALIDITY, UID) names one message
//! for good (RFC 9051 §2.3.1.1), so a client syncing headers again needs no read and no parse.
//! Two levels: in memory for the whole process (bounded: past `LIMIT` bytes it starts over),
//! and in the store (`Store::summaries`), so that a restart does not parse every message
//! again. A summary computed by a FETCH is written to the store in batches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use store::{Store, SummaryRow};

use crate::{envelope, message, structure};

/// The most bytes of summaries kept in memory.
const LIMIT: usize = 32 << 20;

/// The stored summary format. Raise it whenever ENVELOPE or BODY/BODYSTRUCTURE output changes
/// (`message.rs`, `structure.rs`, `mime.rs`): stored summaries of other versions are ignored
/// and replaced.
pub(crate) const FORMAT: u32 = 3;

/// Mailbox id, UIDVALIDITY, UID, and whether strings are UTF-8 (RFC 6855) or encoded words.
pub(crate) type Key = (i64, u32, u32, bool);

/// The responses, as sent: ENVELOPE, BODY (no extension data) and BODYSTRUCTURE (with it,
/// RFC 9051 §7.5.2). The key does not say which was asked for: every entry holds all three.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Summary {
    pub envelope: Vec<u8>,
    pub body: Vec<u8>,
    pub structure: Vec<u8>,
}

impl Summary {
    /// Stored form: the lengths of ENVELOPE and BODY (4 bytes each, little-endian), then the
    /// three strings.
    fn encode(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(8 + self.envelope.len() + self.body.len() + self.structure.len());
        for part in [&self.envelope, &self.body] {
            out.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_le_bytes());
        }
        for part in [&self.envelope, &self.body, &self.structure] {
            out.extend_from_slice(part);
        }
        out
    }

    /// `None` for bytes not made by [`Summary::encode`].
    fn decode(bytes: &[u8]) -> Option<Summary> {
        let length = |at: usize| -> Option<usize> {
            let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
            usize::try_from(u32::from_le_bytes(b)).ok()
        };
        let (envelope, body) = (length(0)?, length(4)?);
        let rest = bytes.get(8..)?;
        let (envelope, rest) = rest.split_at_checked(envelope)?;
        let (body, structure) = rest.split_at_checked(body)?;
        Some(Summary {
            envelope: envelope.to_vec(),
            body: body.to_vec(),
            structure: structure.to_vec(),
        })
    }
}

#[derive(Default)]
struct Cache {
    map: HashMap<Key, Arc<Summary>>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn get(key: &Key) -> Option<Arc<Summary>> {
    cache().lock().ok()?.map.get(key).cloned()
}

fn keep(key: Key, summary: &Arc<Summary>) {
    if let Ok(mut c) = cache().lock() {
        let size = summary.envelope.len() + summary.body.len() + summary.structure.len() + 64;
        if c.bytes + size > LIMIT {
            c.map.clear();
            c.bytes = 0;
        }
        if c.map.insert(key, Arc::clone(summary)).is_none() {
            c.bytes += size;
        }
    }
}

/// The summaries of `uids` (messages of one mailbox, in one flavour) that exist already: from
/// memory, then from the store for the rest (kept in memory too). A store failure is logged
/// and costs only a parse.
pub(crate) async fn load(
    store: &Store,
    (mailbox, uid_validity, utf8): (i64, u32, bool),
    uids: &[u32],
) -> HashMap<u32, Arc<Summary>> {
    let mut found = HashMap::with_capacity(uids.len());
    let mut missing = Vec::new();
    for &uid in uids {
        match get(&(mailbox, uid_validity, uid, utf8)) {
            Some(s) => {
                found.insert(uid, s);
            }
            None => missing.push(uid),
        }
    }
    if missing.is_empty() {
        return found;
    }
    match store.summaries(mailbox, missing, utf8, FORMAT).await {
        Ok(rows) => {
            let mut read = 0u64;
            for (uid, bytes) in rows {
                if let Some(s) = Summary::decode(&bytes) {
                    let s = Arc::new(s);
                    keep((mailbox, uid_validity, uid, utf8), &s);
                    found.insert(uid, s);
                    read += 1;
                }
            }
            if read > 0 {
                tracing::debug!(mailbox, count = read, "summaries read from the store");
            }
        }
        Err(e) => tracing::warn!(mailbox, error = %e, "reading stored summaries failed"),
    }
    found
}

/// Computes the summary of `raw` and keeps it in memory; the caller stores it with [`save`].
pub(crate) fn compute(key: Key, raw: &[u8]) -> Arc<Summary> {
    let utf8 = key.3;
    let mut envelope = Vec::new();
    let mut body = Vec::new();
    let mut structure = Vec::new();
    envelope::envelope(&mut envelope, raw, utf8);
    match message::parse(raw) {
        Some(p) => {
            structure::body_structure(&mut body, &p, raw, utf8, false);
            structure::body_structure(&mut structure, &p, raw, utf8, true);
        }
        None => {
            structure::unparsed(&mut body, raw, false);
            structure::unparsed(&mut structure, raw, true);
        }
    }
    let summary = Arc::new(Summary {
        envelope,
        body,
        structure,
    });
    keep(key, &summary);
    summary
}

/// Writes computed summaries of messages of `mailbox` to the store in the background; the
/// FETCH awaits the handle before its tagged response, so a summary sent is a summary kept.
pub(crate) fn save(
    store: &Store,
    mailbox: i64,
    utf8: bool,
    computed: Vec<(u32, Arc<Summary>)>,
) -> Option<tokio::task::JoinHandle<()>> {
    if computed.is_empty() {
        return None;
    }
    let store = store.clone();
    Some(tokio::spawn(async move {
        let rows: Vec<SummaryRow> = computed.iter().map(|(uid, s)| (*uid, s.encode())).collect();
        if let Err(e) = store.put_summaries(mailbox, utf8, FORMAT, rows).await {
            tracing::warn!(mailbox, error = %e, "storing summaries failed");
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_reads_back_and_rejects_garbage() {
        let s = Summary {
            envelope: b"(NIL \"x\")".to_vec(),
            body: b"(\"text\" \"plain\")".to_vec(),
            structure: Vec::new(),
        };
        assert_eq!(Summary::decode(&s.encode()), Some(s));
        assert_eq!(Summary::decode(b"\x05\0\0\0\0\0\0\0abc"), None);
        assert_eq!(Summary::decode(b"\x01\0"), None);
    }
}
