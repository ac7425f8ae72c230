//! Postroom's durable store: one SQLite database in WAL mode.
//!
//! Contract: every change that a caller is told succeeded is durable (committed with
//! `synchronous=FULL`). All writes go through one writer thread that commits the work of many
//! callers in one transaction (group commit); reads run on a small pool of read-only
//! connections on blocking threads. Nothing here runs SQLite on the async reactor's threads.
//! SQL stays inside this crate.
//!
//! # Layout
//! - `migrations.rs`: numbered schema migrations; a newer database is refused.
//! - `writer.rs`: the writer thread and group commit; change notifications after commit.
//! - `checkpoint.rs`: WAL checkpoints on their own thread, off the commit path.
//! - `readers.rs`: the read-only connection pool.
//! - `admin.rs`: domains, accounts (argon2id), aliases: add, list, remove, password.
//! - `resolve.rs`: recipient resolution (accounts, aliases, lists, catch-all, forwards).
//! - `deliver.rs`: one message to local INBOXes and queue rows in one transaction.
//! - `spool.rs`: a large arriving message in a temporary file of the data directory's `tmp/`,
//!   delivered from there in pieces.
//! - `collected/`: what `[[collect]]` jobs fetched (POP3 UIDL, IMAP UIDVALIDITY:UID),
//!   recorded in the same transaction as the delivery: each message once;
//!   `fingerprint.rs` there: the content fingerprint that finds it again under a new id.
//! - `export.rs`: an account's mailboxes as an mboxrd file.
//! - `quota.rs`: storage quotas: an account's limit and usage (kept per mailbox by triggers).
//! - `mailbox.rs`: IMAP's mailboxes: list, create, delete, rename, subscribe; snapshots with
//!   UIDs, flags and MODSEQs; APPEND, COPY/MOVE, EXPUNGE.
//! - `modseq.rs`: CONDSTORE/QRESYNC (RFC 7162): STORE with UNCHANGEDSINCE, expunged UIDs
//!   with their MODSEQ for VANISHED (a bounded record per mailbox).
//! - `special_use.rs`: CREATE with a special use (RFC 6154 §3), one mailbox per use.
//! - `summary.rs`: IMAP message summaries (ENVELOPE, BODYSTRUCTURE) kept per blob with a
//!   format version, so a restart does not parse every message again; gone with the blob.
//! - `maildrop.rs`: POP3's INBOX snapshot, message bodies in chunks, deletion at QUIT.
//! - `queue.rs`: the outbound queue: claiming due rows, recording attempts (with their DSNs),
//!   hold/release/retry/delete, DKIM keys per domain.
//! - `srs.rs`: the Sender Rewriting Scheme for forwarded mail: rewriting, checking and
//!   reversing `SRS0=` addresses, and the secret kept beside the database.
//! - `address.rs`: address and domain syntax, normalisation (lowercase).
//! - `password.rs`: password rules and argon2id hashing (on blocking threads).
//! - `verified.rs`: logins argon2 accepted in the last minutes, as keyed hashes, so logging
//!   in again costs no argon2 run (Dovecot's auth_cache); what invalidates them.
//! - `tests/`: one file per area (admin, resolve, deliver, export, two stores on one file),
//!   each on a throwaway database; `deliver.rs` has an ignored throughput measurement.

use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;
use tokio::sync::broadcast;

mod address;
mod admin;
mod checkpoint;
mod collected;
mod deliver;
mod export;
#[cfg(test)]
mod fixture;
mod greylist;
mod import;
mod junk;
mod mailbox;
mod maildrop;
mod migrations;
mod modseq;
mod password;
mod queue;
mod quota;
mod readers;
mod resolve;
mod special_use;
mod spool;
pub mod srs;
mod summary;
mod verified;
mod writer;

pub use collected::{Collected, CollectedBy};
pub use export::Exported;
pub use greylist::{Greylist, Triplet};
pub use junk::{Classifier, JunkCounts, JunkStats, Learned, ListAction, ListEntry, Training};
pub use mailbox::{FlagOp, FlagUpdate, MailboxInfo, MailboxSnapshot, MessageMeta, Placed};
pub use maildrop::{CHUNK, Maildrop, MaildropMessage, MessageChunks};
pub use migrations::SCHEMA_VERSION;
pub use modseq::{StoredFlags, Vanished};
pub use queue::{
    AttemptResult, DkimKey, Outcome, QueueAttempt, QueueEntry, QueueState, QueuedRecipient,
};
pub use quota::Quota;
pub use spool::Spool;
pub use summary::SummaryRow;

/// Errors of the store. The `Display` text is one plain sentence a user can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The named thing does not exist ("unknown domain example.test").
    #[error("{0}")]
    NotFound(String),
    /// The named thing exists already ("account a@example.test already exists").
    #[error("{0}")]
    AlreadyExists(String),
    /// The input is not acceptable ("password is too short: at least 8 characters").
    #[error("{0}")]
    Invalid(String),
    /// The database was written by a newer Postroom.
    #[error(
        "the database was created by a newer version of Postroom (schema {found}, this version knows up to {supported}); upgrade Postroom"
    )]
    NewerSchema { found: i64, supported: i64 },
    /// SQLite failed (disk full, corruption, I/O error...).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The account's storage quota does not allow the write (RFC 9208 §4.3 OVERQUOTA).
    #[error("{0}")]
    OverQuota(String),
    /// The writer thread is gone (the store is shutting down).
    #[error("the store is shutting down")]
    Closed,
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A row id of `accounts`.
pub type AccountId = i64;

/// A domain we receive mail for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: String,
}

/// A mail account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub address: String,
    pub disabled: bool,
}

/// An alias: one address (or `@domain`, the catch-all) to one or more targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub address: String,
    pub targets: Vec<String>,
}

/// Where mail for one address goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The domain is not one of ours.
    NotLocal,
    /// The domain is ours, but nobody (account, alias, catch-all) takes this address.
    Unknown,
    /// Local accounts and outside addresses that receive it, after aliases, lists, forwards
    /// and the catch-all are expanded (deduplicated; loops cut).
    Deliver {
        accounts: Vec<AccountId>,
        remote: Vec<String>,
    },
}

/// An outside recipient of a message: becomes one queue row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRecipient {
    pub address: String,
    /// RFC 3461 NOTIFY as sent (e.g. "SUCCESS,FAILURE"), if any.
    pub notify: Option<String>,
    /// RFC 3461 ORCPT (`rfc822;addr`), if any.
    pub orcpt: Option<String>,
}

/// How a message entered: decides whether it is DKIM-signed and whether its envelope sender
/// is rewritten (SRS) when it is forwarded outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Submitted after AUTH (RFC 4954): our user's mail; signed.
    Submission,
    /// From a client in `[relay] networks` (e.g. the office LAN): trusted; signed.
    Relay,
    /// From the Internet (port 25 without AUTH), or collected from an outside mailbox: never
    /// signed; forwarded with an SRS sender. Rows queued before origins were recorded count
    /// as this.
    Inbound,
    /// Made by this server (delivery status notifications): never signed, since a DSN may
    /// carry an outsider's message.
    Local,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Submission => "submission",
            Origin::Relay => "relay",
            Origin::Inbound => "inbound",
            Origin::Local => "local",
        }
    }

    /// The stored text; anything unknown is treated as the least trusted, `inbound`.
    pub fn parse(text: &str) -> Origin {
        match text {
            "submission" => Origin::Submission,
            "relay" => Origin::Relay,
            "local" => Origin::Local,
            _ => Origin::Inbound,
        }
    }

    /// Whether our DKIM key may sign it: only mail our users or trusted networks sent.
    pub fn may_sign(self) -> bool {
        matches!(self, Origin::Submission | Origin::Relay)
    }
}

/// One accepted message and everyone who gets it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message exactly as stored (the Received header included), CRLF line endings.
    pub message: Vec<u8>,
    /// The envelope sender; empty for the null reverse-path `<>`.
    pub envelope_from: String,
    /// RFC 3461 ENVID and RET, if given.
    pub envid: Option<String>,
    pub ret: Option<String>,
    /// Local accounts: one INBOX message row each (duplicates are delivered once).
    pub accounts: Vec<AccountId>,
    /// Deliver to each account's `\Junk` mailbox (RFC 6154) instead of INBOX: the inbound
    /// checks' verdict (`trust`); an account without one gets it in INBOX.
    pub junk: bool,
    /// Outside recipients: one queue row each.
    pub remote: Vec<RemoteRecipient>,
    /// How the message entered (stored with each queue row).
    pub origin: Origin,
    /// The queue rows' envelope sender when it differs from `envelope_from`: the SRS address
    /// of mail from the Internet that an alias forwards outside.
    pub forward_sender: Option<String>,
}

impl Delivery {
    /// A message from outside for local `accounts` only: no DSN options, no outside
    /// recipients, nothing forwarded (mail collected from another server, tests).
    pub fn inbound(
        envelope_from: impl Into<String>,
        message: Vec<u8>,
        accounts: Vec<AccountId>,
    ) -> Delivery {
        Delivery {
            message,
            envelope_from: envelope_from.into(),
            envid: None,
            ret: None,
            accounts,
            junk: false,
            remote: Vec::new(),
            origin: Origin::Inbound,
            forward_sender: None,
        }
    }
}

/// What changed, broadcast after the change is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A message was appended to a mailbox.
    MessageAdded {
        account: AccountId,
        mailbox: i64,
        uid: u32,
        modseq: u64,
    },
    /// Queue rows were added.
    QueueAdded { ids: Vec<i64> },
    /// Messages were deleted from a mailbox (POP3 QUIT); `modseq` is the mailbox's new
    /// HIGHESTMODSEQ. IMAP sessions report them as EXPUNGE.
    MessagesExpunged {
        account: AccountId,
        mailbox: i64,
        uids: Vec<u32>,
        modseq: u64,
    },
    /// Queue rows changed state after a delivery attempt.
    QueueUpdated { ids: Vec<i64> },
    /// Flags of messages changed (IMAP STORE); `modseq` is their new MODSEQ. IMAP sessions
    /// report them as FETCH (FLAGS).
    FlagsChanged {
        account: AccountId,
        mailbox: i64,
        uids: Vec<u32>,
        modseq: u64,
    },
    /// A COPY or MOVE into or out of Junk queued training for the account's classifier
    /// (`junk.rs`); the learner wakes on it.
    JunkTrainingQueued { account: AccountId },
}

/// A handle on the store; cheap to clone.
///
/// The writer thread stops once every handle is dropped, after finishing the jobs already
/// queued; [`Store::close`] waits for that.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    writer: writer::Writer,
    readers: Arc<readers::Readers>,
    changes: broadcast::Sender<Change>,
    resolve_cache: resolve::Cache,
    /// Where [`Store::spool`] makes its files: `tmp/` next to the database.
    spool_dir: std::path::PathBuf,
    /// The database's path (the SRS secret lives beside it).
    path: std::path::PathBuf,
    /// The SRS keys, loaded (or made) on first use.
    srs: std::sync::Mutex<Option<Arc<srs::Srs>>>,
    /// Logins whose password argon2 accepted a moment ago.
    verified: verified::Verified,
}

/// How many change notifications a slow subscriber may fall behind before it lags.
const CHANGE_CAPACITY: usize = 1024;

/// How many read-only connections serve reads.
const READERS: usize = 4;

impl Store {
    /// Opens (creating if needed) the database at `path`, runs migrations, starts the writer.
    /// Must be called inside a tokio runtime. It blocks while migrating (and while another
    /// process holds the write lock, up to the busy timeout): call it at start-up.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = writer::open_connection(path)?;
        migrations::run(&mut conn)?;
        let readers = readers::Readers::open(path, READERS)?;
        let (changes, _) = broadcast::channel(CHANGE_CAPACITY);
        let writer = writer::Writer::start(conn, changes.clone())?;
        let spool_dir = spool::prepare_dir(path)?;
        Ok(Store {
            inner: Arc::new(Inner {
                writer,
                readers,
                changes,
                resolve_cache: resolve::Cache::new(path),
                spool_dir,
                path: path.to_path_buf(),
                srs: std::sync::Mutex::new(None),
                verified: verified::Verified::new(),
            }),
        })
    }

    /// After a successful change of domains, accounts or aliases: recipient caches (in every
    /// process using this database) must look again. Returns `result`.
    fn directory_changed<T>(&self, result: Result<T>) -> Result<T> {
        if result.is_ok() {
            self.inner.resolve_cache.invalidate();
        }
        result
    }

    /// Runs `work` on the writer (see `Writer::submit`); returns once it is durable.
    async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<Change>) -> Result<T> + Send + 'static,
    {
        self.inner.writer.write(work).await
    }

    /// Runs `f` on a pooled reading connection.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.inner.readers.read(f).await
    }

    /// The SRS keys, loading or making the secret on first use.
    fn srs(&self) -> Result<Arc<srs::Srs>> {
        let mut slot = self
            .inner
            .srs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(srs) = slot.as_ref() {
            return Ok(Arc::clone(srs));
        }
        let srs = Arc::new(srs::Srs::load(&srs::secret_path(&self.inner.path))?);
        *slot = Some(Arc::clone(&srs));
        Ok(srs)
    }

    /// `sender` rewritten with SRS for forwarding by `domain` (one of ours): the envelope
    /// sender of forwarded Internet mail. The null sender and addresses without a domain
    /// stay as they are.
    pub fn srs_forward(&self, sender: &str, domain: &str) -> Result<String> {
        if sender.is_empty() {
            return Ok(String::new());
        }
        Ok(self
            .srs()?
            .forward(sender, domain, srs::today())
            .unwrap_or_else(|| sender.to_string()))
    }

    /// The original sender of one of our SRS addresses, checked (hash, age).
    pub fn srs_reverse(&self, address: &str) -> Result<std::result::Result<String, srs::SrsError>> {
        Ok(self.srs()?.reverse(address, srs::today()))
    }

    /// Changes after they are durable.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.changes.subscribe()
    }

    /// How many write transactions the writer has committed since [`Store::open`]. Each one
    /// holds the work of one or more callers (group commit).
    pub fn commits(&self) -> u64 {
        self.inner.writer.commits()
    }

    /// Drops this handle; if it was the last one, waits until the writer has finished the
    /// queued jobs and closed the database.
    pub async fn close(self) {
        if let Ok(inner) = Arc::try_unwrap(self.inner) {
            let Inner {
                writer, readers, ..
            } = inner;
            drop(readers);
            writer.shut_down().await;
        }
    }

    /// Runs SQLite's `PRAGMA integrity_check` and `foreign_key_check`; returns the problems
    /// found (empty when the database is sound).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        self.inner
            .readers
            .read(|conn| {
                let mut problems = Vec::new();
                let mut stmt = conn.prepare("PRAGMA integrity_check")?;
                let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
                for row in rows {
                    let row = row?;
                    if row != "ok" {
                        problems.push(row);
                    }
                }
                let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
                let rows = stmt.query_map([], |row| {
                    Ok(format!(
                        "row {} of {} refers to a missing row of {}",
                        row.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(2)?
                    ))
                })?;
                for row in rows {
                    problems.push(row?);
                }
                Ok(problems)
            })
            .await
    }

    pub async fn add_domain(&self, name: &str) -> Result<()> {
        self.directory_changed(admin::add_domain(self, name).await)
    }
    /// Refuses while accounts or aliases of the domain exist (names how many).
    pub async fn remove_domain(&self, name: &str) -> Result<()> {
        self.directory_changed(admin::remove_domain(self, name).await)
    }
    pub async fn list_domains(&self) -> Result<Vec<Domain>> {
        admin::list_domains(self).await
    }
    pub async fn is_local_domain(&self, name: &str) -> Result<bool> {
        admin::is_local_domain(self, name).await
    }

    /// Creates the account with INBOX, Sent, Drafts, Trash, Junk. The domain must exist; the
    /// password must pass [`check_password`].
    pub async fn add_account(&self, address: &str, password: &str) -> Result<AccountId> {
        self.directory_changed(admin::add_account(self, address, password).await)
    }
    pub async fn list_accounts(&self) -> Result<Vec<Account>> {
        admin::list_accounts(self).await
    }
    /// Removes the account and all its mail.
    pub async fn remove_account(&self, address: &str) -> Result<()> {
        self.directory_changed(admin::remove_account(self, address).await)
    }
    pub async fn set_password(&self, address: &str, password: &str) -> Result<()> {
        admin::set_password(self, address, password).await
    }
    /// Enables or disables an account. A disabled account cannot log in and receives no mail.
    pub async fn set_disabled(&self, address: &str, disabled: bool) -> Result<()> {
        self.directory_changed(admin::set_disabled(self, address, disabled).await)
    }
    /// The account whose address is `username` if the password matches and it is enabled.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<Account>> {
        admin::authenticate(self, username, password).await
    }

    /// `address` is `local@domain` or `@domain` (catch-all). Targets are addresses: local
    /// accounts, other aliases, or outside addresses.
    pub async fn add_alias(&self, address: &str, targets: &[String]) -> Result<()> {
        self.directory_changed(admin::add_alias(self, address, targets).await)
    }
    pub async fn list_aliases(&self) -> Result<Vec<Alias>> {
        admin::list_aliases(self).await
    }
    pub async fn remove_alias(&self, address: &str) -> Result<()> {
        self.directory_changed(admin::remove_alias(self, address).await)
    }

    /// Resolves one recipient address.
    pub async fn resolve(&self, address: &str) -> Result<Resolution> {
        resolve::resolve(self, address).await
    }

    /// Where mail to postmaster at our host name goes when the host name is not a mail
    /// domain: the server's first enabled account (RFC 5321 §4.5.1).
    pub async fn resolve_postmaster(&self) -> Result<Resolution> {
        resolve::resolve_postmaster(self).await
    }

    /// Stores the message once and delivers it; returns when it is durable.
    pub async fn deliver(&self, delivery: Delivery) -> Result<()> {
        deliver::deliver(self, delivery).await
    }

    /// A new temporary file for a message too large to hold in memory while it arrives.
    pub async fn spool(&self) -> Result<Spool> {
        Spool::create(self.inner.spool_dir.clone()).await
    }

    /// As [`Store::deliver`], with the message in `spool` (`delivery.message` is ignored):
    /// stored in pieces, never read whole into memory; same single durable commit.
    pub async fn deliver_spooled(&self, delivery: Delivery, spool: Spool) -> Result<()> {
        deliver::deliver_spooled(self, delivery, spool).await
    }

    /// Writes every mailbox of the account as mboxrd to `path`; returns the message count.
    pub async fn export_mbox(&self, address: &str, path: &Path) -> Result<usize> {
        export::export_mbox(self, address, path).await
    }
}

/// An argon2id hash (PHC string) of `password`, made on the small password-hashing pool that
/// mail logins use (for passwords kept outside the database, such as the admin panel's).
pub async fn hash_password(password: &str) -> Result<String> {
    password::hash(password.to_string()).await
}

/// Whether `password` matches the PHC string `stored`, checked on the password-hashing pool:
/// at most a few argon2 runs (19 MiB each) at once, however many ask.
pub async fn verify_password(stored: &str, password: &str) -> Result<bool> {
    password::verify(Some(stored.to_string()), password.to_string()).await
}

/// Password rules: at least 8 characters, not all one character, not the address or its
/// local part, not a well-known password.
pub fn check_password(address: &str, password: &str) -> Result<()> {
    password::check(address, password)
}

/// Seconds since the Unix epoch (0 if the clock is before 1970).
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
