//! What CONDSTORE and QRESYNC (RFC 7162) need beyond a mailbox snapshot's MODSEQs: STORE
//! with UNCHANGEDSINCE, and the record of expunged UIDs for VANISHED.
//!
//! Every change to a mailbox takes the next value of its `highest_modseq`: a delivery or
//! APPEND gives it to the new message, a STORE to the messages whose flags changed, and an
//! expunge records it for the UIDs it removed (`expunged`, written by `maildrop::delete`, the
//! one deletion path). The record is bounded ([`EXPUNGED_KEPT`] per mailbox): the oldest
//! expunges are forgotten in the transaction that records new ones, and the mailbox's
//! `expunged_floor` says up to which MODSEQ. A client resyncing from an older MODSEQ is told
//! every UID below UIDNEXT that is not in the mailbox ([`Vanished::exact`] false): a superset
//! RFC 7162 §3.2.6 allows ("a server ... that doesn't remember mod-sequences associated with
//! expunged messages can be considered compliant"); clients ignore UIDs they never had.

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

/// How many expunged UIDs each mailbox remembers for VANISHED (EARLIER).
///
/// A count, not an age: MODSEQs carry no time, and a count bounds the table whatever the
/// traffic (a POP3 client deleting everything it downloads expunges every message the mailbox
/// ever gets). About 20 bytes a row plus its index entry: some 40 KB for a busy mailbox. A
/// thousand expunges cover weeks of an office INBOX (moving mail to a folder is an expunge
/// too); a client away for longer still resyncs correctly, with a larger VANISHED: the
/// mailbox's UID gaps, sent as ranges, narrowed by its known UIDs and sequence match data
/// (RFC 7162 §3.2.5.1, §3.2.5.2).
pub(crate) const EXPUNGED_KEPT: i64 = 1000;

/// The UIDs expunged from a mailbox after a MODSEQ (RFC 7162 §3.2.5.1, §3.2.6).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vanished {
    /// Ascending.
    pub uids: Vec<u32>,
    /// Whether `uids` are exactly the UIDs expunged after the MODSEQ. False when the record
    /// no longer reaches back that far: `uids` are then every UID below UIDNEXT that is not
    /// in the mailbox, a superset (expunged before the MODSEQ, or never seen by the client).
    pub exact: bool,
}

/// Forgets the oldest expunges of `mailbox` beyond the newest `keep`, whole MODSEQs at a time,
/// and raises its `expunged_floor` to the newest MODSEQ forgotten. In the expunge's own
/// transaction (`maildrop::delete`); walks at most `keep + 1` entries of `expunged_modseq`.
pub(crate) fn forget_old_expunges(conn: &Connection, mailbox: i64, keep: i64) -> Result<()> {
    let cutoff: Option<i64> = conn
        .prepare_cached(
            "SELECT modseq FROM expunged WHERE mailbox_id = ?1
             ORDER BY modseq DESC LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![mailbox, keep], |row| row.get(0))
        .optional()?;
    let Some(cutoff) = cutoff else {
        return Ok(());
    };
    conn.prepare_cached("DELETE FROM expunged WHERE mailbox_id = ?1 AND modseq <= ?2")?
        .execute(params![mailbox, cutoff])?;
    conn.prepare_cached(
        "UPDATE mailboxes SET expunged_floor = max(expunged_floor, ?2) WHERE id = ?1",
    )?
    .execute(params![mailbox, cutoff])?;
    Ok(())
}

/// The UIDs of `mailbox` expunged after `since` (see [`Vanished`]), in one read.
fn vanished(conn: &Connection, mailbox: i64, since: i64) -> Result<Vanished> {
    let (floor, uid_next): (i64, i64) = conn
        .prepare_cached("SELECT expunged_floor, uid_next FROM mailboxes WHERE id = ?1")?
        .query_row([mailbox], |row| Ok((row.get(0)?, row.get(1)?)))?;
    // Every expunge after `since` is remembered when those forgotten are all at or before it.
    if since >= floor {
        let uids = conn
            .prepare_cached(
                "SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY uid",
            )?
            .query_map(params![mailbox, since], |row| u32_of(row.get(0)?, "UID"))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        return Ok(Vanished { uids, exact: true });
    }
    let present = conn
        .prepare_cached("SELECT uid FROM messages WHERE mailbox_id = ?1 ORDER BY uid")?
        .query_map([mailbox], |row| u32_of(row.get(0)?, "UID"))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Vanished {
        uids: gaps(&present, u32_of(uid_next, "UIDNEXT")?),
        exact: false,
    })
}

/// The UIDs from 1 to `uid_next - 1` not in `present` (ascending).
fn gaps(present: &[u32], uid_next: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut next = 1;
    for &uid in present.iter().chain(std::iter::once(&uid_next)) {
        out.extend(next..uid.min(uid_next));
        next = next.max(uid.saturating_add(1));
    }
    out
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

    /// The UIDs of `mailbox` expunged after MODSEQ `since`: QRESYNC's `VANISHED (EARLIER)`
    /// (RFC 7162 §3.2.5.1, §3.2.6); exact unless the record was pruned past `since`.
    pub async fn vanished_since(
        &self,
        account: AccountId,
        mailbox: i64,
        since: u64,
    ) -> Result<Vanished> {
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        self.inner
            .readers
            .read(move |conn| {
                owned(conn, account, mailbox)?;
                vanished(conn, mailbox, since)
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
    fn gaps_are_the_uids_below_uidnext_not_present() {
        assert_eq!(gaps(&[2, 3, 6], 9), vec![1, 4, 5, 7, 8]);
        assert_eq!(gaps(&[], 4), vec![1, 2, 3]);
        assert_eq!(gaps(&[1, 2, 3], 4), Vec::<u32>::new());
        assert_eq!(gaps(&[], 1), Vec::<u32>::new());
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
