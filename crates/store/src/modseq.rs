//! What CONDSTORE and QRESYNC (RFC 7162) need beyond a mailbox snapshot's MODSEQs: STORE
//! with UNCHANGEDSINCE, and the record of expunged UIDs for VANISHED.
//!
//! Every change to a mailbox takes the next value of its `highest_modseq`: a delivery or
//! APPEND gives it to the new message, a STORE to the messages whose flags changed, and an
//! expunge records it for the UIDs it removed (`expunged`, written by `maildrop::delete`, the
//! one deletion path). The record is kept for the mailbox's life, so a client may resync
//! from any MODSEQ it saw (RFC 7162 §3.2.5.2: no sequence match data is needed).

use rusqlite::{Connection, OptionalExtension, params};

use crate::mailbox::{join_flags, owned, parse_flags, u32_of};
use crate::{AccountId, Change, FlagOp, FlagUpdate, Result, Store};

/// What a STORE did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredFlags {
    /// The messages whose flags changed, with their new flags and MODSEQ.
    pub updates: Vec<FlagUpdate>,
    /// UIDs left alone because they changed after UNCHANGEDSINCE (RFC 7162 §3.1.3).
    pub modified: Vec<u32>,
}

/// Takes the mailbox's next MODSEQ (its new HIGHESTMODSEQ), for a STORE or an expunge.
pub(crate) fn next_modseq(conn: &Connection, mailbox: i64) -> Result<u64> {
    let modseq: i64 = conn
        .prepare_cached(
            "UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ?1
             RETURNING highest_modseq",
        )?
        .query_row([mailbox], |row| row.get(0))?;
    Ok(u64::try_from(modseq).unwrap_or_default())
}

/// The flags `current` become under `op` with `flags` (RFC 9051 §6.4.6); case-insensitive.
fn apply(op: FlagOp, current: &[String], flags: &[String]) -> Vec<String> {
    let mut new = match op {
        FlagOp::Replace => Vec::new(),
        _ => current.to_vec(),
    };
    match op {
        FlagOp::Replace | FlagOp::Add => {
            for f in flags {
                if !new.iter().any(|g| g.eq_ignore_ascii_case(f)) {
                    new.push(f.clone());
                }
            }
        }
        FlagOp::Remove => new.retain(|g| !flags.iter().any(|f| f.eq_ignore_ascii_case(g))),
    }
    new
}

impl Store {
    /// Changes the flags of messages `uids` of `mailbox` in one durable job; returns the new
    /// flags of those that changed (all with one new MODSEQ) and announces
    /// [`Change::FlagsChanged`]. With `unchanged_since`, a message whose MODSEQ is greater
    /// is left alone and listed in [`StoredFlags::modified`] (RFC 7162 §3.1.3).
    pub async fn store_flags(
        &self,
        account: AccountId,
        mailbox: i64,
        uids: Vec<u32>,
        op: FlagOp,
        flags: Vec<String>,
        unchanged_since: Option<u64>,
    ) -> Result<StoredFlags> {
        self.inner
            .writer
            .write(move |conn, changes| {
                owned(conn, account, mailbox)?;
                let mut read = conn.prepare_cached(
                    "SELECT flags, modseq FROM messages WHERE mailbox_id = ?1 AND uid = ?2",
                )?;
                let mut planned = Vec::new();
                let mut modified = Vec::new();
                for uid in uids {
                    let Some((current, modseq)) = read
                        .query_row(params![mailbox, uid], |row| {
                            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                        })
                        .optional()?
                    else {
                        continue;
                    };
                    if unchanged_since.is_some_and(|since| modseq as u64 > since) {
                        modified.push(uid);
                        continue;
                    }
                    let current = parse_flags(&current);
                    let new = apply(op, &current, &flags);
                    if new != current {
                        planned.push((uid, new));
                    }
                }
                if planned.is_empty() {
                    return Ok(StoredFlags {
                        updates: Vec::new(),
                        modified,
                    });
                }
                let modseq = next_modseq(conn, mailbox)?;
                let mut write = conn.prepare_cached(
                    "UPDATE messages SET flags = ?3, modseq = ?4 WHERE mailbox_id = ?1 AND uid = ?2",
                )?;
                let mut updates = Vec::with_capacity(planned.len());
                for (uid, new) in planned {
                    write.execute(params![mailbox, uid, join_flags(&new), modseq as i64])?;
                    updates.push(FlagUpdate {
                        uid,
                        flags: new,
                        modseq,
                    });
                }
                changes.push(Change::FlagsChanged {
                    account,
                    mailbox,
                    uids: updates.iter().map(|u| u.uid).collect(),
                    modseq,
                });
                Ok(StoredFlags { updates, modified })
            })
            .await
    }

    /// The UIDs of `mailbox` expunged after MODSEQ `since`, ascending: QRESYNC's
    /// `VANISHED (EARLIER)` (RFC 7162 §3.2.5.2, §3.2.6).
    pub async fn vanished_since(
        &self,
        account: AccountId,
        mailbox: i64,
        since: u64,
    ) -> Result<Vec<u32>> {
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        self.inner
            .readers
            .read(move |conn| {
                owned(conn, account, mailbox)?;
                Ok(conn
                    .prepare_cached(
                        "SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2
                         ORDER BY uid",
                    )?
                    .query_map(params![mailbox, since], |row| u32_of(row.get(0)?, "UID"))?
                    .collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(flags: &[&str]) -> Vec<String> {
        flags.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn flag_operations_ignore_case_and_keep_order() {
        let current = v(&["\\Seen", "$Label"]);
        assert_eq!(
            apply(FlagOp::Add, &current, &v(&["\\seen", "\\Flagged"])),
            v(&["\\Seen", "$Label", "\\Flagged"])
        );
        assert_eq!(
            apply(FlagOp::Remove, &current, &v(&["$label"])),
            v(&["\\Seen"])
        );
        assert_eq!(
            apply(FlagOp::Replace, &current, &v(&["\\Draft"])),
            v(&["\\Draft"])
        );
    }
}
