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
//! A new remote id for a message we have (IMAP UIDVALIDITY changed, RFC 9051 §2.3.1.1: the
//! old `UIDVALIDITY:UID` ids name nothing any more; or the job edited to another host name,
//! port or user for the same mailbox, so another job label): the message is downloaded once
//! more, but its content fingerprint (store, `collected/fingerprint.rs`) matches a message
//! collected for the same local destination, so the store records the new id in the
//! delivery's transaction and delivers nothing; deletion follows the first copy's
//! first-seen time. Messages no longer on the server are forgotten after the run's messages
//! are recorded (their fingerprints are what a new UIDVALIDITY's messages are matched
//! against), and the rows of a job's former label once this job has taken them over, which
//! keeps the table as small as the remote mailboxes.

use std::collections::HashSet;

use config::{Collect, CollectProtocol, CollectTarget, CollectTls};
use store::{Collected, CollectedBy, Delivery, Store};

use super::imap::Imap;
use super::pop3::Pop3;
use super::{CollectError, Remote, sort};

/// What a run needs besides the job.
pub(crate) struct RunContext {
    pub store: Store,
    pub hostname: String,
    /// Larger messages are left on the server, reported as the run's error.
    pub max_message_size: u64,
    /// The labels of the configured jobs: a job's former label's records are dropped once
    /// it took them over, not those of another configured job.
    pub labels: Vec<String>,
}

/// What a run did (also when it failed part-way).
#[derive(Debug, Default)]
pub(crate) struct RunReport {
    pub fetched: u64,
    pub deleted: u64,
    /// Messages downloaded again under a new id and recorded, not delivered (same content).
    pub duplicates: u64,
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
    let scope = scope(job);
    // The target must exist before anything is fetched.
    let target = sort::target_accounts(&ctx.store, job).await?;
    let mut session = Session::open(job).await?;
    let remotes = session.list().await?;
    let known = ctx.store.collected_ids(&label).await?;

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
                let delivery = Delivery::inbound(sender, stored, accounts);
                let by = CollectedBy {
                    job: label.clone(),
                    remote_id: remote.id.clone(),
                    scope: scope.clone(),
                };
                match ctx.store.deliver_collected(by, message, delivery).await? {
                    Collected::Delivered => {
                        report.fetched += 1;
                        now
                    }
                    Collected::Duplicate { first_seen } => {
                        report.duplicates += 1;
                        first_seen
                    }
                    Collected::Known => now,
                }
            }
        };
        if due_for_deletion(job.keep_days, first_seen, now) {
            to_delete.push(remote);
        }
    }
    if report.duplicates > 0 {
        tracing::info!(job = %label, skipped = report.duplicates, "messages already collected under another id (same content) were recorded, not delivered again");
    }
    // The listing was complete: what is not on the server any more is forgotten.
    let present: HashSet<&str> = remotes.iter().map(|r| r.id.as_str()).collect();
    let gone: Vec<String> = known
        .into_keys()
        .filter(|id| !present.contains(id.as_str()))
        .collect();
    ctx.store.forget_collected(&label, gone).await?;
    ctx.store
        .forget_superseded(&label, &scope, ctx.labels.clone())
        .await?;
    session.delete_and_close(&to_delete).await?;
    report.deleted = to_delete.len() as u64;
    if !report.skipped.is_empty() {
        return Err(CollectError::TooLarge(report.skipped.len()));
    }
    Ok(())
}

/// The job's local destination, where fingerprints are compared: its account, or a domain
/// mailbox's fallback (lowercase). Not the job's label, which changes when the user points
/// the job at another name of the same server; and a message sorted out of a domain mailbox
/// has the same recipients whatever the job is called. Two jobs into one account are one
/// scope: a message with identical content (trace headers included) in both mailboxes is
/// delivered once.
fn scope(job: &Collect) -> String {
    match &job.target {
        CollectTarget::Account(a) => a,
        CollectTarget::Domain { fallback } => fallback,
    }
    .to_ascii_lowercase()
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
    use config::CollectTarget;

    use super::{due_for_deletion, scope};

    #[test]
    fn the_scope_is_the_local_destination_not_the_server() {
        let mut job = super::super::sample_job();
        job.target = CollectTarget::Account("Alice@Example.test".into());
        job.host = "pop.isp.example".into();
        let before = scope(&job);
        job.host = "pop3.isp.example".into();
        job.port = 995;
        assert_eq!(scope(&job), before);
        assert_eq!(before, "alice@example.test");
        job.target = CollectTarget::Domain {
            fallback: "office@example.test".into(),
        };
        assert_eq!(scope(&job), "office@example.test");
    }

    #[test]
    fn deletion_follows_keep_days() {
        let day = 86_400;
        assert!(!due_for_deletion(None, 0, 100 * day));
        assert!(due_for_deletion(Some(0), 1000, 1000));
        assert!(!due_for_deletion(Some(7), 0, 7 * day - 1));
        assert!(due_for_deletion(Some(7), 0, 7 * day));
    }
}
