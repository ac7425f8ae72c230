//! Numbered schema migrations, tracked in `PRAGMA user_version`.
//!
//! Migration N brings the schema from version N-1 to N. A migration is never edited once
//! released; a change is a new migration appended to [`MIGRATIONS`]. A database whose version is
//! newer than the last migration here was written by a newer Postroom and is refused untouched.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Result, StoreError};

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The migrations, in order: index 0 is version 1.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11];

/// V1's triggers that keep `blobs.refcount` right for a table with a `blob_id` column
/// (`messages`, `queue`): a row added, removed, or moved to another blob; a blob that nothing
/// references any more is deleted. Written once for both tables; the text is V1's as
/// released.
#[rustfmt::skip] // one SQL line per source line
macro_rules! blob_refcount_triggers {
    ($table:literal) => {
        concat!(
            "CREATE TRIGGER ", $table, "_blob_ref AFTER INSERT ON ", $table, " BEGIN\n",
            "    UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;\n",
            "END;\n",
            "CREATE TRIGGER ", $table, "_blob_unref AFTER DELETE ON ", $table, " BEGIN\n",
            "    UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;\n",
            "    DELETE FROM blobs WHERE id = OLD.blob_id AND refcount <= 0;\n",
            "END;\n",
            "CREATE TRIGGER ", $table, "_blob_move AFTER UPDATE OF blob_id ON ", $table, "\n",
            "WHEN OLD.blob_id IS NOT NEW.blob_id BEGIN\n",
            "    UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;\n",
            "    UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;\n",
            "    DELETE FROM blobs WHERE id = OLD.blob_id AND refcount <= 0;\n",
            "END;\n",
        )
    };
}

/// Version 1: domains, accounts, aliases, mailboxes, content-addressed blobs, messages, the
/// outbound queue. Blob reference counts are kept by triggers, so cascading deletes (an
/// account's mailboxes and their messages) keep them right too.
const V1: &str = concat!(
    r#"
CREATE TABLE domains (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    domain_id     INTEGER NOT NULL REFERENCES domains(id),
    address       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    quota_bytes   INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX accounts_domain ON accounts(domain_id);

-- `@domain` is the domain's catch-all.
CREATE TABLE aliases (
    id          INTEGER PRIMARY KEY,
    domain_id   INTEGER NOT NULL REFERENCES domains(id),
    address     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX aliases_domain ON aliases(domain_id);

CREATE TABLE alias_targets (
    id        INTEGER PRIMARY KEY,
    alias_id  INTEGER NOT NULL REFERENCES aliases(id) ON DELETE CASCADE,
    target    TEXT NOT NULL COLLATE NOCASE,
    UNIQUE (alias_id, target)
);

CREATE TABLE mailboxes (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    special_use     TEXT,
    uid_validity    INTEGER NOT NULL,
    uid_next        INTEGER NOT NULL DEFAULT 1,
    highest_modseq  INTEGER NOT NULL DEFAULT 1,
    subscribed      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, name)
);

-- Bodies, stored once per distinct content (sha256). `data` is last so the small columns
-- stay on the row's first page.
CREATE TABLE blobs (
    id        INTEGER PRIMARY KEY,
    hash      BLOB NOT NULL UNIQUE,
    size      INTEGER NOT NULL,
    refcount  INTEGER NOT NULL DEFAULT 0,
    data      BLOB NOT NULL
);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    mailbox_id     INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid            INTEGER NOT NULL,
    modseq         INTEGER NOT NULL,
    blob_id        INTEGER NOT NULL REFERENCES blobs(id),
    flags          TEXT NOT NULL DEFAULT '',
    internal_date  INTEGER NOT NULL,
    size           INTEGER NOT NULL,
    sender         TEXT NOT NULL DEFAULT '',
    UNIQUE (mailbox_id, uid)
);
CREATE INDEX messages_blob ON messages(blob_id);

CREATE TABLE queue (
    id            INTEGER PRIMARY KEY,
    blob_id       INTEGER NOT NULL REFERENCES blobs(id),
    sender        TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    notify        TEXT,
    orcpt         TEXT,
    envid         TEXT,
    ret           TEXT,
    state         TEXT NOT NULL DEFAULT 'queued',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL,
    last_reply    TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX queue_due ON queue(state, next_attempt);
CREATE INDEX queue_blob ON queue(blob_id);

"#,
    blob_refcount_triggers!("messages"),
    "\n",
    blob_refcount_triggers!("queue"),
);

/// Version 2: the outbound queue's attempt history, delay-notice and finish times, held rows
/// (state `held`), and a DKIM key per domain. Queue states: `queued`, `in-flight`,
/// `deferred`, `held`, `delivered`, `failed`.
const V2: &str = r#"
ALTER TABLE queue ADD COLUMN delay_notified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE queue ADD COLUMN finished_at INTEGER;

-- One row per delivery attempt of a queue row, for `queue show` and the GUI's timeline.
CREATE TABLE queue_attempts (
    id        INTEGER PRIMARY KEY,
    queue_id  INTEGER NOT NULL REFERENCES queue(id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    host      TEXT,
    tls       TEXT,
    outcome   TEXT NOT NULL,
    reply     TEXT NOT NULL
);
CREATE INDEX queue_attempts_queue ON queue_attempts(queue_id);
CREATE INDEX queue_finished ON queue(finished_at) WHERE finished_at IS NOT NULL;

-- DKIM signing keys (RFC 6376): private key as PKCS#8 DER, public key as the base64 of the
-- DNS record's p= tag.
CREATE TABLE dkim_keys (
    id           INTEGER PRIMARY KEY,
    domain_id    INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    selector     TEXT NOT NULL,
    algorithm    TEXT NOT NULL,
    private_key  BLOB NOT NULL,
    public_key   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (domain_id, selector)
);
"#;

/// Version 3: quota usage and the expunge record.
/// - `mailboxes.used_bytes`: the bytes of a mailbox's messages (RFC 9208 STORAGE), kept by
///   triggers so every path (delivery, APPEND, COPY, expunge, POP3 QUIT, cascading deletes)
///   counts; an account's usage is the sum over its few mailboxes, read by the unique
///   `(account_id, name)` index without touching `messages`.
/// - `expunged`: each expunged UID with the MODSEQ of its expunge, for QRESYNC's VANISHED
///   (RFC 7162 §3.2.5.2, §3.2.10); dropped with its mailbox.
const V3: &str = r#"
ALTER TABLE mailboxes ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE mailboxes SET used_bytes =
    (SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = mailboxes.id);

CREATE TRIGGER messages_usage_add AFTER INSERT ON messages BEGIN
    UPDATE mailboxes SET used_bytes = used_bytes + NEW.size WHERE id = NEW.mailbox_id;
END;
CREATE TRIGGER messages_usage_remove AFTER DELETE ON messages BEGIN
    UPDATE mailboxes SET used_bytes = used_bytes - OLD.size WHERE id = OLD.mailbox_id;
END;

CREATE TABLE expunged (
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid         INTEGER NOT NULL,
    modseq      INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
"#;

/// Version 4: messages collected from outside POP3/IMAP mailboxes (`[[collect]]`), one row per
/// job (its `pop3://user@host:port` label) and remote id (POP3 UIDL; IMAP `UIDVALIDITY:UID`),
/// written in the same transaction as the message's delivery, so each is delivered once.
/// `first_seen` (unix seconds) drives "leave on server for N days".
const V4: &str = r#"
CREATE TABLE collected (
    job         TEXT NOT NULL,
    remote_id   TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    PRIMARY KEY (job, remote_id)
) WITHOUT ROWID;
"#;

/// Version 5: `mailboxes.expunged_floor`, the highest MODSEQ whose expunges `expunged` no
/// longer holds (0: it holds them all). The record is kept to a bound per mailbox
/// (`modseq.rs`); VANISHED since an older MODSEQ cannot be told exactly (RFC 7162 §3.2.6).
const V5: &str = r#"
ALTER TABLE mailboxes ADD COLUMN expunged_floor INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 6: each `collected` row's scope (the job's local destination) and the content
/// fingerprint of the message as downloaded (`collected/fingerprint.rs`), indexed, so the
/// same message under a new remote id (a new IMAP UIDVALIDITY, a job edited to another host
/// name) is not delivered again. Rows from before have neither and match nothing. Still one
/// row per message on the remote server (gone ones are forgotten).
const V6: &str = r#"
ALTER TABLE collected ADD COLUMN scope TEXT;
ALTER TABLE collected ADD COLUMN fingerprint BLOB;
CREATE INDEX collected_fingerprint ON collected (scope, fingerprint);
"#;

/// Version 7: IMAP message summaries (ENVELOPE, BODY, BODYSTRUCTURE as sent, serialised by
/// the IMAP crate), so a restart does not parse every message again (`summary.rs`). One row
/// per blob: a summary is a function of the message's bytes, so every copy shares it, and it
/// goes with the blob (ON DELETE CASCADE) when the last message using it is expunged.
/// `encoded` holds strings as RFC 2047 encoded words, `utf8` as UTF-8 (RFC 6855); `version`
/// is the summary format's, and a row of another version is ignored and then replaced.
const V7: &str = r#"
CREATE TABLE summaries (
    blob_id  INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    encoded  BLOB,
    utf8     BLOB
);
"#;

/// Version 8: how each queued message entered (`store::Origin`): `submission` (AUTH),
/// `relay` (`[relay] networks`), `inbound` (the Internet; forwarded by an alias) or `local`
/// (our DSNs). Only the first two are DKIM-signed. Rows from before count as `inbound`: they
/// leave unsigned rather than risk signing a stranger's message.
const V8: &str = r#"
ALTER TABLE queue ADD COLUMN origin TEXT NOT NULL DEFAULT 'inbound';
"#;

/// Version 9 (issue #16, the content filter): the Bayesian classifiers (one per account, one
/// shared per domain) with their token counts, which messages each account has trained (so a
/// message is learned once, and unlearned when moved back), the training jobs a move into or
/// out of Junk queues for the learner, and the allow and block lists per account and domain.
const V9: &str = r#"
CREATE TABLE junk_scopes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
    domain_id   INTEGER UNIQUE REFERENCES domains(id) ON DELETE CASCADE,
    spam        INTEGER NOT NULL DEFAULT 0,
    ham         INTEGER NOT NULL DEFAULT 0,
    CHECK ((account_id IS NULL) <> (domain_id IS NULL))
);

CREATE TABLE junk_tokens (
    scope_id   INTEGER NOT NULL REFERENCES junk_scopes(id) ON DELETE CASCADE,
    token      TEXT NOT NULL,
    spam       INTEGER NOT NULL DEFAULT 0,
    ham        INTEGER NOT NULL DEFAULT 0,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (scope_id, token)
) WITHOUT ROWID;

-- `spam` is 1 when the account trained the message as spam, 0 as ham.
CREATE TABLE junk_trained (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hash        BLOB NOT NULL,
    spam        INTEGER NOT NULL,
    PRIMARY KEY (account_id, hash)
) WITHOUT ROWID;

CREATE TABLE junk_pending (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hash        BLOB NOT NULL,
    spam        INTEGER NOT NULL
);

-- `pattern` is an address (`a@b.example`) or a domain (`b.example`); `action` is `allow` or
-- `block`; exactly one of the owners is set.
CREATE TABLE sender_lists (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    domain_id   INTEGER REFERENCES domains(id) ON DELETE CASCADE,
    pattern     TEXT NOT NULL COLLATE NOCASE,
    action      TEXT NOT NULL CHECK (action IN ('allow', 'block')),
    created_at  INTEGER NOT NULL,
    CHECK ((account_id IS NULL) <> (domain_id IS NULL))
);
CREATE UNIQUE INDEX sender_lists_account ON sender_lists(account_id, pattern) WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX sender_lists_domain ON sender_lists(domain_id, pattern) WHERE domain_id IS NOT NULL;
"#;

/// Version 10: IMAP's \Recent (RFC 3501 §2.3.2) and UIDVALIDITY after DELETE.
/// `mailboxes.recent_uid`: messages from this UID on are recent to the next session that
/// selects the mailbox read-write (which then moves it to `uid_next`); existing mailboxes
/// start with nothing recent. `accounts.uid_validity_floor`: the largest UIDVALIDITY of a
/// deleted mailbox, so a name created again gets a larger one (RFC 3501 §2.3.1.1).
/// `lost_subscriptions`: names subscribed when their mailbox was deleted; RFC 3501 §6.3.6
/// forbids dropping them unasked (LIST shows them \NonExistent, RFC 5258 §3.4).
const V10: &str = r#"
ALTER TABLE mailboxes ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 1;
UPDATE mailboxes SET recent_uid = uid_next;
ALTER TABLE accounts ADD COLUMN uid_validity_floor INTEGER NOT NULL DEFAULT 0;
CREATE TABLE lost_subscriptions (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
"#;

/// Version 11: greylisting (RFC 6647, `greylist.rs`): the (client network, sender, recipient)
/// triplets seen, and the client networks that passed (never greylisted again while known).
const V11: &str = r#"
CREATE TABLE greylist (
    network     TEXT NOT NULL,
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    passed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (network, sender, recipient)
);
CREATE INDEX greylist_last_seen ON greylist(last_seen);
CREATE TABLE greylist_clients (
    network    TEXT PRIMARY KEY,
    last_seen  INTEGER NOT NULL
);
"#;

/// Brings the database up to [`SCHEMA_VERSION`], each migration in its own transaction.
/// Another process may be opening the same file: the version is read under the write lock.
pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(migration) = usize::try_from(found)
            .ok()
            .and_then(|applied| MIGRATIONS.get(applied))
        else {
            return Ok(());
        };
        tx.execute_batch(migration)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", found + 1))?;
        tx.commit()?;
        tracing::info!(version = found + 1, "database schema migrated");
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn migrations_reach_the_latest_version_and_are_idempotent() -> Result<()> {
        let mut conn = Connection::open_in_memory()?;
        run(&mut conn)?;
        run(&mut conn)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        assert_eq!(version, SCHEMA_VERSION);
        Ok(())
    }

    #[test]
    fn version_3_counts_the_usage_of_messages_already_stored() -> Result<()> {
        let mut conn = Connection::open_in_memory()?;
        conn.execute_batch(V1)?;
        conn.execute_batch(V2)?;
        conn.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO domains VALUES (1, 'example.test', 0);
             INSERT INTO accounts (id, domain_id, address, password_hash, created_at)
                 VALUES (1, 1, 'a@example.test', '', 0);
             INSERT INTO mailboxes (id, account_id, name, uid_validity) VALUES (1, 1, 'INBOX', 1);
             INSERT INTO blobs (id, hash, size, data) VALUES (1, x'00', 3, x'616263');
             INSERT INTO messages (mailbox_id, uid, modseq, blob_id, internal_date, size)
                 VALUES (1, 1, 2, 1, 0, 3), (1, 2, 3, 1, 0, 3);",
        )?;
        run(&mut conn)?;
        let used: i64 =
            conn.query_row("SELECT used_bytes FROM mailboxes WHERE id = 1", [], |r| {
                r.get(0)
            })?;
        assert_eq!(used, 6);
        conn.execute("DELETE FROM messages WHERE uid = 1", [])?;
        let used: i64 =
            conn.query_row("SELECT used_bytes FROM mailboxes WHERE id = 1", [], |r| {
                r.get(0)
            })?;
        assert_eq!(used, 3);
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused_untouched() -> Result<()> {
        let mut conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA user_version = 999")?;
        let err = run(&mut conn).err();
        assert!(matches!(
            err,
            Some(StoreError::NewerSchema {
                found: 999,
                supported: SCHEMA_VERSION
            })
        ));
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
        assert_eq!(tables, 0);
        Ok(())
    }
}
