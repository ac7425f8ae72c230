//! One run of a `[[collect]]` job: log in, list, fetch what is new, deliver each message
//! together with its "collected" record (one commit), then delete on the server what the
//! policy says, and only what is committed here.
//!
//! Exactly once: a message is delivered in the same transaction that records its remote id,
//! and a recorded id is never fetched again. A run cut off anywhere leaves either the
//! message delivered and recorded, or neither; the server deletes only after our commit
//! (POP3 at QUIT, IMAP at EXPUNGE), so a cut before that just leaves messages the next run
//! finds recorded (and deletes then, if the policy says so).
//!
//! Ids recorded for messages no longer on the server are forgotten once a listing is
//! complete, which keeps the table as small as the remote mailbox. IMAP UIDVALIDITY change
//! (RFC 9051 §2.3.1.1): the old `UIDVALIDITY:UID` ids cannot name anything any more, so
//! every message in the mailbox is new to us and is fetched again; with "leave on server"
//! that can mean copies of mail collected before the change. Servers change UIDVALIDITY
//! only when they lose or rebuild the mailbox's state, and refetching is the only way not to
//! lose mail then.

use std::collections::HashSet;

use config::{Collect, CollectProtocol, CollectTarget, CollectTls};
use store::{Delivery, Store};

use super::imap::Imap;
use super::pop3::Pop3;
use super::{CollectError, Remote, sort};

/// What a run needs besides the job.
pub(crate) struct RunContext {
    pub store: Store,
    pub hostname: String,
    /// Larger messages are left on the server, reported as the run's error.
    pub max_message_size: u64,
}

/// What a run did (also when it failed part-way).
#[derive(Debug, Default)]
pub(crate) struct RunReport {
    pub fetched: u64,
    pub deleted: u64,
    /// Messages left on the server because they are too large.
    pub skipped: Vec<String>,
}

/// An open session with the server.
enum Session {
    Pop3(Pop3),
    Imap(Imap),
}

impl Session {
    async fn open(job: &Collect) -> Result<Session, CollectError> {
        let tls = match job.tls {
            CollectTls::None => None,
            _ => Some(super::conn::tls_config(job.ca.as_deref())?),
        };
        Ok(match job.protocol {
            CollectProtocol::Pop3 => Session::Pop3(Pop3::open(job, tls).await?),
            CollectProtocol::Imap => Session::Imap(Imap::open(job, tls).await?),
        })
    }

    async fn list(&mut self) -> Result<Vec<Remote>, CollectError> {
        match self {
            Session::Pop3(pop) => pop.list().await,
            Session::Imap(imap) => imap.list().await,
        }
    }

    async fn fetch(&mut self, remote: &Remote) -> Result<Vec<u8>, CollectError> {
        match self {
            Session::Pop3(pop) => pop.fetch(remote).await,
            Session::Imap(imap) => imap.fetch(remote).await,
        }
    }

    /// Deletes the messages; done when this returns (POP3: at QUIT, which this sends).
    async fn delete_and_close(self, remotes: &[&Remote]) -> Result<(), CollectError> {
        match self {
            Session::Pop3(mut pop) => {
                pop.delete(remotes).await?;
                pop.quit().await
            }
            Session::Imap(mut imap) => {
                imap.delete(remotes).await?;
                imap.logout().await
            }
        }
    }
}

/// Whether a message first collected at `first_seen` is due for deletion at `now`.
fn due_for_deletion(keep_days: Option<u32>, first_seen: i64, now: i64) -> bool {
    match keep_days {
        None => false,
        Some(days) => now.saturating_sub(first_seen) >= i64::from(days) * 86_400,
    }
}

/// Runs the job once; `report` holds the progress even when an error ends the run.
pub(crate) async fn run(
    job: &Collect,
    ctx: &RunContext,
    report: &mut RunReport,
) -> Result<(), CollectError> {
    let label = job.label();
    // The target must exist before anything is fetched.
    let target = sort::target_accounts(&ctx.store, job).await?;
    let mut session = Session::open(job).await?;
    let remotes = session.list().await?;
    let known = ctx.store.collected_ids(&label).await?;
    let present: HashSet<&str> = remotes.iter().map(|r| r.id.as_str()).collect();
    let gone: Vec<String> = known
        .keys()
        .filter(|id| !present.contains(id.as_str()))
        .cloned()
        .collect();
    ctx.store.forget_collected(&label, gone).await?;

    let mut to_delete = Vec::new();
    for remote in &remotes {
        let now = crate::unix_now();
        let first_seen = match known.get(&remote.id) {
            Some(&at) => at,
            None => {
                if remote.size > ctx.max_message_size {
                    report.skipped.push(remote.id.clone());
                    continue;
                }
                let message = match session.fetch(remote).await {
                    Ok(message) => message,
                    // Removed by another client since the listing: nothing to collect.
                    Err(CollectError::Gone(_)) => continue,
                    Err(e) => return Err(e),
                };
                let date = rfc5322_date();
                let (stored, sender) =
                    sort::stored_message(job, &ctx.hostname, &remote.id, &message, &date);
                let accounts = match &job.target {
                    CollectTarget::Account(_) => target.clone(),
                    CollectTarget::Domain { .. } => {
                        sort::recipients(&ctx.store, &message, &target).await?
                    }
                };
                let delivery = Delivery {
                    message: stored,
                    envelope_from: sender,
                    envid: None,
                    ret: None,
                    accounts,
                    remote: Vec::new(),
                };
                if ctx
                    .store
                    .deliver_collected(&label, &remote.id, delivery)
                    .await?
                {
                    report.fetched += 1;
                }
                now
            }
        };
        if due_for_deletion(job.keep_days, first_seen, now) {
            to_delete.push(remote);
        }
    }
    session.delete_and_close(&to_delete).await?;
    report.deleted = to_delete.len() as u64;
    if !report.skipped.is_empty() {
        return Err(CollectError::TooLarge(report.skipped.len()));
    }
    Ok(())
}

/// The current time as an RFC 5322 §3.3 date-time in UTC.
fn rfc5322_date() -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day padding:none] [month repr:short] [year] [hour]:[minute]:[second] +0000"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "Thu, 1 Jan 1970 00:00:00 +0000".to_string())
}

#[cfg(test)]
mod tests {
    use super::due_for_deletion;

    #[test]
    fn deletion_follows_keep_days() {
        let day = 86_400;
        assert!(!due_for_deletion(None, 0, 100 * day));
        assert!(due_for_deletion(Some(0), 1000, 1000));
        assert!(!due_for_deletion(Some(7), 0, 7 * day - 1));
        assert!(due_for_deletion(Some(7), 0, 7 * day));
    }
}
