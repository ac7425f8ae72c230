//! ENVELOPE and BODYSTRUCTURE of a message, kept in memory for the whole process once
//! computed (as Dovecot keeps them in its index cache): a stored message never changes, and
//! (mailbox, UIDVALIDITY, UID) names one message for good (RFC 9051 §2.3.1.1), so a client
//! syncing headers again needs no read and no parse. Bounded: past `LIMIT` bytes it starts
//! over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::{message, structure};

/// The most bytes of summaries kept.
const LIMIT: usize = 32 << 20;

/// Mailbox id, UIDVALIDITY, UID, and whether strings are UTF-8 (RFC 6855) or encoded words.
pub(crate) type Key = (i64, u32, u32, bool);

/// The responses, as sent: ENVELOPE, BODY (no extension data) and BODYSTRUCTURE (with it,
/// RFC 9051 §7.5.2). The key does not say which was asked for: every entry holds all three.
pub(crate) struct Summary {
    pub envelope: Vec<u8>,
    pub body: Vec<u8>,
    pub structure: Vec<u8>,
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

pub(crate) fn get(key: &Key) -> Option<Arc<Summary>> {
    cache().lock().ok()?.map.get(key).cloned()
}

/// Computes the summary of `raw` and keeps it.
pub(crate) fn compute(key: Key, raw: &[u8]) -> Arc<Summary> {
    let utf8 = key.3;
    let mut envelope = Vec::new();
    let mut body = Vec::new();
    let mut structure = Vec::new();
    match message::parse(raw) {
        Some(p) => {
            message::envelope(&mut envelope, &p, utf8);
            structure::body_structure(&mut body, &p, raw, utf8, false);
            structure::body_structure(&mut structure, &p, raw, utf8, true);
        }
        None => {
            envelope.extend_from_slice(b"(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
            structure::unparsed(&mut body, raw.len(), false);
            structure::unparsed(&mut structure, raw.len(), true);
        }
    }
    let summary = Arc::new(Summary {
        envelope,
        body,
        structure,
    });
    if let Ok(mut c) = cache().lock() {
        let size = summary.envelope.len() + summary.body.len() + summary.structure.len() + 64;
        if c.bytes + size > LIMIT {
            c.map.clear();
            c.bytes = 0;
        }
        if c.map.insert(key, Arc::clone(&summary)).is_none() {
            c.bytes += size;
        }
    }
    summary
}
