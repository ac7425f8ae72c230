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
const MIGRATIONS: &[&str] = &[V1, V2];

/// Version 1: domains, accounts, aliases, mailboxes, content-addressed blobs, messages, the
/// outbound queue. Blob reference counts are kept by triggers, so cascading deletes (an
/// account's mailboxes and their messages) keep them right too.
const V1: &str = r#"
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

CREATE TRIGGER messages_blob_ref AFTER INSERT ON messages BEGIN
    UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;
END;
CREATE TRIGGER messages_blob_unref AFTER DELETE ON messages BEGIN
    UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
    DELETE FROM blobs WHERE id = OLD.blob_id AND refcount <= 0;
END;
CREATE TRIGGER messages_blob_move AFTER UPDATE OF blob_id ON messages
WHEN OLD.blob_id IS NOT NEW.blob_id BEGIN
    UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;
    UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
    DELETE FROM blobs WHERE id = OLD.blob_id AND refcount <= 0;
END;

CREATE TRIGGER queue_blob_ref AFTER INSERT ON queue BEGIN
    UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;
END;
CREATE TRIGGER queue_blob_unref AFTER DELETE ON queue BEGIN
    UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
    DELETE FROM blobs WHERE id = OLD.blob_id AND refcount <= 0;
END;
CREATE TRIGGER queue_blob_move AFTER UPDATE OF blob_id ON queue
WHEN OLD.blob_id IS NOT NEW.blob_id BEGIN
    UPDATE blobs SET refcount = refcount + 1 WHERE id = NEW.blob_id;
    UPDATE blobs SET refcount = refcount - 1 WHERE id = OLD.blob_id;
    DELETE FROM blobs WHERE id = OLD.blob_id AND refcount <= 0;
END;
"#;

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
