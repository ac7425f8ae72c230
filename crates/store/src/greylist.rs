//! Greylisting's memory (RFC 6647): the triplets seen and the client networks that passed.
//! The policy (which network, which delay) is `trust::greylist`'s; this file only keeps the
//! rows, each decision in one write transaction so two sessions retrying at once agree.

use rusqlite::{OptionalExtension, params};

use crate::{Result, Store, unix_now};

/// One triplet (RFC 6647 §2.2): the client's network (`192.0.2.0/24`, `2001:db8::/64`), the
/// envelope sender and the recipient, as the policy normalised them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triplet {
    pub network: String,
    pub sender: String,
    pub recipient: String,
}

/// What greylisting decides for a triplet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greylist {
    /// The network passed before (RFC 6647 §2.2's automatic allowlisting of clients that
    /// retry) or the triplet did.
    Known,
    /// Retried after the delay: passes now, and its network is known from now on.
    Passed,
    /// New, or retried too soon: try again in this many seconds.
    Wait(u64),
}

impl Store {
    /// Looks `triplet` up and records what happened: a new triplet waits `delay_secs`; a retry
    /// after that passes. Rows not seen for `keep_secs` are forgotten (RFC 6647 §4.2: a
    /// triplet's record expires).
    pub async fn greylist(
        &self,
        triplet: Triplet,
        delay_secs: u64,
        keep_secs: u64,
    ) -> Result<Greylist> {
        self.inner
            .writer
            .write(move |conn, _| {
                let now = unix_now();
                let delay = i64::try_from(delay_secs).unwrap_or(i64::MAX);
                let expired = now.saturating_sub(i64::try_from(keep_secs).unwrap_or(i64::MAX));
                conn.prepare_cached("DELETE FROM greylist WHERE last_seen < ?1")?
                    .execute([expired])?;
                conn.prepare_cached("DELETE FROM greylist_clients WHERE last_seen < ?1")?
                    .execute([expired])?;
                let Triplet {
                    network,
                    sender,
                    recipient,
                } = &triplet;
                let known = conn
                    .prepare_cached(
                        "UPDATE greylist_clients SET last_seen = ?2 WHERE network = ?1",
                    )?
                    .execute(params![network, now])?;
                if known > 0 {
                    return Ok(Greylist::Known);
                }
                let seen = conn
                    .prepare_cached(
                        "SELECT first_seen, passed FROM greylist
                         WHERE network = ?1 AND sender = ?2 AND recipient = ?3",
                    )?
                    .query_row(params![network, sender, recipient], |row| {
                        Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?))
                    })
                    .optional()?;
                let Some((first_seen, passed)) = seen else {
                    conn.prepare_cached(
                        "INSERT INTO greylist (network, sender, recipient, first_seen, last_seen)
                         VALUES (?1, ?2, ?3, ?4, ?4)",
                    )?
                    .execute(params![network, sender, recipient, now])?;
                    return Ok(Greylist::Wait(delay_secs));
                };
                let waited = now - first_seen;
                if !passed && waited < delay {
                    return Ok(Greylist::Wait(u64::try_from(delay - waited).unwrap_or(0)));
                }
                conn.prepare_cached(
                    "UPDATE greylist SET last_seen = ?4, passed = 1
                     WHERE network = ?1 AND sender = ?2 AND recipient = ?3",
                )?
                .execute(params![network, sender, recipient, now])?;
                conn.prepare_cached(
                    "INSERT INTO greylist_clients (network, last_seen) VALUES (?1, ?2)
                     ON CONFLICT (network) DO UPDATE SET last_seen = excluded.last_seen",
                )?
                .execute(params![network, now])?;
                Ok(if passed {
                    Greylist::Known
                } else {
                    Greylist::Passed
                })
            })
            .await
    }
}
