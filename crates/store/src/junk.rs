//! The content filter's data (issue #16): the Bayesian classifiers' token counts, one
//! classifier per account and one shared by each domain's accounts; which messages an account
//! has trained, so a message is learned once and unlearned when it is moved back; the training
//! jobs that a move into or out of Junk queues; the allow and block lists.
//!
//! Training is queued where messages change mailbox ([`queue_training`], called by COPY and
//! MOVE in `mailbox.rs`), in the same durable job as the move, so every way of moving a
//! message (IMAP MOVE, COPY + EXPUNGE, the panel's release) trains the same way. The
//! tokenizing is the learner's (`trust::learn`), off the writer thread and off the sessions.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::{AccountId, Change, Result, Store, StoreError, unix_now};

/// One classifier's message counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JunkCounts {
    pub spam: u32,
    pub ham: u32,
}

/// What a classifier knows about the tokens of one message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Classifier {
    /// `account` or `domain`.
    pub kind: &'static str,
    pub counts: JunkCounts,
    /// Per token seen in training: in how many spam and ham messages it was.
    pub tokens: HashMap<String, JunkCounts>,
}

/// A training job: the first bytes of the message, and what the account said it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub id: i64,
    pub account: AccountId,
    pub spam: bool,
    /// The first bytes of the message; `None` when it was deleted before the learner came.
    pub head: Option<Vec<u8>>,
}

/// What a training job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learned {
    /// Counted as spam or ham for the first time.
    New,
    /// Had been counted the other way: unlearned, then learned.
    Flipped,
    /// Already counted this way (the same message moved again): nothing changed.
    Already,
}

/// A classifier's state for the panel and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JunkStats {
    /// `account` or `domain`.
    pub kind: String,
    /// The account's address or the domain's name.
    pub owner: String,
    pub counts: JunkCounts,
    pub tokens: u64,
}

/// Allow or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListAction {
    Allow,
    Block,
}

impl ListAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ListAction::Allow => "allow",
            ListAction::Block => "block",
        }
    }

    fn parse(text: &str) -> ListAction {
        if text == "block" {
            ListAction::Block
        } else {
            ListAction::Allow
        }
    }
}

/// One entry of an allow or block list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The account's address, or the domain's name for a list that all its accounts share.
    pub owner: String,
    /// Whether `owner` is a domain.
    pub for_domain: bool,
    /// A sender address (`a@b.example`) or a sender domain (`b.example`).
    pub pattern: String,
    pub action: ListAction,
}

/// A `sender_lists` row selected as owner, is-domain, pattern, action.
fn list_entry(row: &rusqlite::Row) -> rusqlite::Result<ListEntry> {
    Ok(ListEntry {
        owner: row.get(0)?,
        for_domain: row.get(1)?,
        pattern: row.get(2)?,
        action: ListAction::parse(&row.get::<_, String>(3)?),
    })
}

/// Queues training for messages that a COPY or MOVE placed: into a `\Junk` mailbox they are
/// spam; out of one into any other but `\Trash` they are ham (moved back: the learner
/// unlearns the spam count). Other moves train nothing.
pub(crate) fn queue_training(
    conn: &Connection,
    account: AccountId,
    from: i64,
    target_use: Option<&str>,
    blobs: &[i64],
    changes: &mut Vec<Change>,
) -> Result<()> {
    let is = |special: Option<&str>, want: &str| special.is_some_and(|s| s == want);
    let from_use: Option<String> = conn
        .prepare_cached("SELECT special_use FROM mailboxes WHERE id = ?1")?
        .query_row([from], |row| row.get(0))?;
    let from_junk = is(from_use.as_deref(), "\\Junk");
    let spam = match (from_junk, is(target_use, "\\Junk")) {
        (false, true) => true,
        (true, false) if !is(target_use, "\\Trash") => false,
        _ => return Ok(()),
    };
    let mut insert = conn.prepare_cached(
        "INSERT INTO junk_pending (account_id, hash, spam)
         SELECT ?1, hash, ?2 FROM blobs WHERE id = ?3",
    )?;
    for blob in blobs {
        insert.execute(params![account, spam, blob])?;
    }
    if !blobs.is_empty() {
        changes.push(Change::JunkTrainingQueued { account });
    }
    Ok(())
}

/// The account's classifier and its domain's, created on first use.
fn scopes_for_learning(conn: &Connection, account: AccountId) -> Result<[i64; 2]> {
    let domain: i64 = conn
        .prepare_cached("SELECT domain_id FROM accounts WHERE id = ?1")?
        .query_row([account], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("account {account}")))?;
    conn.prepare_cached("INSERT OR IGNORE INTO junk_scopes (account_id) VALUES (?1)")?
        .execute([account])?;
    conn.prepare_cached("INSERT OR IGNORE INTO junk_scopes (domain_id) VALUES (?1)")?
        .execute([domain])?;
    let own: i64 = conn
        .prepare_cached("SELECT id FROM junk_scopes WHERE account_id = ?1")?
        .query_row([account], |row| row.get(0))?;
    let shared: i64 = conn
        .prepare_cached("SELECT id FROM junk_scopes WHERE domain_id = ?1")?
        .query_row([domain], |row| row.get(0))?;
    Ok([own, shared])
}

/// Adds `delta` (±1) to the spam or ham count of the scope and of each token.
fn count(conn: &Connection, scope: i64, tokens: &[String], spam: bool, delta: i64) -> Result<()> {
    let column = if spam { "spam" } else { "ham" };
    conn.prepare_cached(&format!(
        "UPDATE junk_scopes SET {column} = max(0, {column} + ?2) WHERE id = ?1"
    ))?
    .execute(params![scope, delta])?;
    let now = unix_now();
    if delta > 0 {
        let mut upsert = conn.prepare_cached(&format!(
            "INSERT INTO junk_tokens (scope_id, token, {column}, last_seen) VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (scope_id, token) DO UPDATE SET {column} = {column} + 1, last_seen = ?3"
        ))?;
        for token in tokens {
            upsert.execute(params![scope, token, now])?;
        }
    } else {
        let mut lower = conn.prepare_cached(&format!(
            "UPDATE junk_tokens SET {column} = max(0, {column} - 1)
             WHERE scope_id = ?1 AND token = ?2"
        ))?;
        for token in tokens {
            lower.execute(params![scope, token])?;
        }
        conn.prepare_cached(
            "DELETE FROM junk_tokens WHERE scope_id = ?1 AND spam = 0 AND ham = 0",
        )?
        .execute([scope])?;
    }
    Ok(())
}

/// Keeps a classifier within `max_tokens`: past it, the rarest tokens go, the longest unseen
/// first, down to 90% (so pruning is not paid on every message).
fn prune(conn: &Connection, scope: i64, max_tokens: u64) -> Result<()> {
    let held: i64 = conn
        .prepare_cached("SELECT count(*) FROM junk_tokens WHERE scope_id = ?1")?
        .query_row([scope], |row| row.get(0))?;
    let held = u64::try_from(held).unwrap_or(0);
    if held <= max_tokens {
        return Ok(());
    }
    let excess = held - max_tokens * 9 / 10;
    conn.prepare_cached(
        "DELETE FROM junk_tokens WHERE scope_id = ?1 AND token IN (
             SELECT token FROM junk_tokens WHERE scope_id = ?1
             ORDER BY spam + ham, last_seen LIMIT ?2)",
    )?
    .execute(params![scope, i64::try_from(excess).unwrap_or(i64::MAX)])?;
    Ok(())
}

/// The owner of a list: an account's address or a domain's name.
fn list_owner(conn: &Connection, owner: &str) -> Result<(Option<i64>, Option<i64>)> {
    if owner.contains('@') {
        let id = conn
            .prepare_cached("SELECT id FROM accounts WHERE address = ?1")?
            .query_row([owner], |row| row.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no account {owner}")))?;
        Ok((Some(id), None))
    } else {
        let id = conn
            .prepare_cached("SELECT id FROM domains WHERE name = ?1")?
            .query_row([owner], |row| row.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no domain {owner}")))?;
        Ok((None, Some(id)))
    }
}

/// A sender address or domain: `a@b.example` or `b.example`, no spaces or control characters.
fn check_pattern(pattern: &str) -> Result<String> {
    let pattern = pattern.trim().trim_start_matches('@').to_ascii_lowercase();
    let domain = pattern.rsplit('@').next().unwrap_or_default();
    let bad = pattern.is_empty()
        || pattern.len() > 320
        || pattern.matches('@').count() > 1
        || pattern.starts_with('@')
        || pattern
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        || !domain.contains('.');
    if bad {
        return Err(StoreError::Invalid(format!(
            "{pattern:?} is not a sender address or domain"
        )));
    }
    Ok(pattern)
}

impl Store {
    /// The classifiers that apply to mail for `account` (its own first, then its domain's),
    /// with the counts of `tokens` in each.
    pub async fn junk_classifiers(
        &self,
        account: AccountId,
        tokens: Vec<String>,
    ) -> Result<Vec<Classifier>> {
        self.inner
            .readers
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let scopes: Vec<(&'static str, i64, JunkCounts)> = tx
                    .prepare_cached(
                        "SELECT s.id, s.spam, s.ham, s.account_id IS NOT NULL FROM junk_scopes s
                         JOIN accounts a ON a.id = ?1
                         WHERE s.account_id = a.id OR s.domain_id = a.domain_id
                         ORDER BY s.account_id IS NULL",
                    )?
                    .query_map([account], |row| {
                        let kind = if row.get::<_, bool>(3)? {
                            "account"
                        } else {
                            "domain"
                        };
                        Ok((
                            kind,
                            row.get(0)?,
                            JunkCounts {
                                spam: row.get(1)?,
                                ham: row.get(2)?,
                            },
                        ))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                let mut lookup = tx.prepare_cached(
                    "SELECT spam, ham FROM junk_tokens WHERE scope_id = ?1 AND token = ?2",
                )?;
                let mut classifiers = Vec::new();
                for (kind, scope, counts) in scopes {
                    let mut found = HashMap::new();
                    for token in &tokens {
                        let row = lookup
                            .query_row(params![scope, token], |row| {
                                Ok(JunkCounts {
                                    spam: row.get(0)?,
                                    ham: row.get(1)?,
                                })
                            })
                            .optional()?;
                        if let Some(c) = row {
                            found.insert(token.clone(), c);
                        }
                    }
                    classifiers.push(Classifier {
                        kind,
                        counts,
                        tokens: found,
                    });
                }
                Ok(classifiers)
            })
            .await
    }

    /// Up to `limit` queued training jobs, oldest first, each with the first `max_bytes` of
    /// its message.
    pub async fn junk_pending(&self, limit: usize, max_bytes: u64) -> Result<Vec<Training>> {
        self.inner
            .readers
            .read(move |conn| {
                let mut rows = conn.prepare_cached(
                    "SELECT p.id, p.account_id, p.spam, substr(b.data, 1, ?2) FROM junk_pending p
                     LEFT JOIN blobs b ON b.hash = p.hash ORDER BY p.id LIMIT ?1",
                )?;
                let jobs = rows
                    .query_map(
                        params![
                            i64::try_from(limit).unwrap_or(i64::MAX),
                            i64::try_from(max_bytes).unwrap_or(i64::MAX)
                        ],
                        |row| {
                            Ok(Training {
                                id: row.get(0)?,
                                account: row.get(1)?,
                                spam: row.get(2)?,
                                head: row.get(3)?,
                            })
                        },
                    )?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(jobs)
            })
            .await
    }

    /// Does training job `id` with the message's `tokens`, in the account's classifier and
    /// its domain's, keeping each within `max_tokens`; idempotent per message and account.
    pub async fn junk_learn(
        &self,
        id: i64,
        tokens: Vec<String>,
        max_tokens: u64,
    ) -> Result<Learned> {
        self.inner
            .writer
            .write(move |conn, _changes| {
                let job: Option<(AccountId, Vec<u8>, bool)> = conn
                    .prepare_cached(
                        "SELECT account_id, hash, spam FROM junk_pending WHERE id = ?1",
                    )?
                    .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .optional()?;
                let Some((account, hash, spam)) = job else {
                    return Ok(Learned::Already);
                };
                conn.prepare_cached("DELETE FROM junk_pending WHERE id = ?1")?
                    .execute([id])?;
                let before: Option<bool> = conn
                    .prepare_cached(
                        "SELECT spam FROM junk_trained WHERE account_id = ?1 AND hash = ?2",
                    )?
                    .query_row(params![account, hash], |row| row.get(0))
                    .optional()?;
                if before == Some(spam) {
                    return Ok(Learned::Already);
                }
                for scope in scopes_for_learning(conn, account)? {
                    if let Some(was) = before {
                        count(conn, scope, &tokens, was, -1)?;
                    }
                    count(conn, scope, &tokens, spam, 1)?;
                    prune(conn, scope, max_tokens)?;
                }
                conn.prepare_cached(
                    "INSERT INTO junk_trained (account_id, hash, spam) VALUES (?1, ?2, ?3)
                     ON CONFLICT (account_id, hash) DO UPDATE SET spam = ?3",
                )?
                .execute(params![account, hash, spam])?;
                Ok(if before.is_some() {
                    Learned::Flipped
                } else {
                    Learned::New
                })
            })
            .await
    }

    /// Every classifier that has learned something, with its counts and size.
    pub async fn junk_stats(&self) -> Result<Vec<JunkStats>> {
        self.inner
            .readers
            .read(|conn| {
                let stats = conn
                    .prepare_cached(
                        "SELECT CASE WHEN s.account_id IS NULL THEN 'domain' ELSE 'account' END,
                                coalesce(a.address, d.name), s.spam, s.ham,
                                (SELECT count(*) FROM junk_tokens t WHERE t.scope_id = s.id)
                         FROM junk_scopes s
                         LEFT JOIN accounts a ON a.id = s.account_id
                         LEFT JOIN domains d ON d.id = s.domain_id
                         ORDER BY 1, 2",
                    )?
                    .query_map([], |row| {
                        Ok(JunkStats {
                            kind: row.get(0)?,
                            owner: row.get(1)?,
                            counts: JunkCounts {
                                spam: row.get(2)?,
                                ham: row.get(3)?,
                            },
                            tokens: row.get(4)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(stats)
            })
            .await
    }

    /// Adds (or changes) `pattern` on the allow or block list of `owner`: an account's
    /// address, or a local domain's name for all its accounts.
    pub async fn set_sender_list(
        &self,
        owner: &str,
        pattern: &str,
        action: ListAction,
    ) -> Result<()> {
        let owner = owner.trim().to_string();
        let pattern = check_pattern(pattern)?;
        self.inner
            .writer
            .write(move |conn, _changes| {
                let (account, domain) = list_owner(conn, &owner)?;
                conn.prepare_cached(
                    "DELETE FROM sender_lists WHERE account_id IS ?1 AND domain_id IS ?2
                     AND pattern = ?3",
                )?
                .execute(params![account, domain, pattern])?;
                conn.prepare_cached(
                    "INSERT INTO sender_lists (account_id, domain_id, pattern, action, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    account,
                    domain,
                    pattern,
                    action.as_str(),
                    unix_now()
                ])?;
                Ok(())
            })
            .await
    }

    /// Removes `pattern` from `owner`'s lists.
    pub async fn remove_sender_list(&self, owner: &str, pattern: &str) -> Result<()> {
        let owner = owner.trim().to_string();
        let pattern = pattern.trim().trim_start_matches('@').to_string();
        self.inner
            .writer
            .write(move |conn, _changes| {
                let (account, domain) = list_owner(conn, &owner)?;
                let removed = conn
                    .prepare_cached(
                        "DELETE FROM sender_lists WHERE account_id IS ?1 AND domain_id IS ?2
                         AND pattern = ?3",
                    )?
                    .execute(params![account, domain, pattern])?;
                if removed == 0 {
                    return Err(StoreError::NotFound(format!(
                        "{pattern} is not on the lists of {owner}"
                    )));
                }
                Ok(())
            })
            .await
    }

    /// Every allow and block list entry.
    pub async fn sender_lists(&self) -> Result<Vec<ListEntry>> {
        self.inner
            .readers
            .read(|conn| {
                let entries = conn
                    .prepare_cached(
                        "SELECT coalesce(a.address, d.name), l.domain_id IS NOT NULL, l.pattern,
                                l.action
                         FROM sender_lists l
                         LEFT JOIN accounts a ON a.id = l.account_id
                         LEFT JOIN domains d ON d.id = l.domain_id
                         ORDER BY 1, 3",
                    )?
                    .query_map([], list_entry)?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(entries)
            })
            .await
    }

    /// The list entries of `accounts` (and of their domains) that match one of `senders`
    /// (addresses); an account's own entries come before its domain's.
    pub async fn sender_list_matches(
        &self,
        accounts: Vec<AccountId>,
        senders: Vec<String>,
    ) -> Result<Vec<ListEntry>> {
        if accounts.is_empty() || senders.is_empty() {
            return Ok(Vec::new());
        }
        self.inner
            .readers
            .read(move |conn| {
                let mut patterns: Vec<String> = Vec::new();
                for sender in &senders {
                    let sender = sender.to_ascii_lowercase();
                    if let Some((_, domain)) = sender.rsplit_once('@') {
                        // The address, its domain, and each parent domain.
                        let mut rest = domain;
                        patterns.push(rest.to_string());
                        while let Some((_, parent)) = rest.split_once('.') {
                            if parent.contains('.') {
                                patterns.push(parent.to_string());
                            }
                            rest = parent;
                        }
                        patterns.push(sender.clone());
                    }
                }
                let mut query = conn.prepare_cached(
                    "SELECT coalesce(a.address, d.name), l.domain_id IS NOT NULL, l.pattern,
                            l.action
                     FROM accounts r
                     JOIN sender_lists l ON l.account_id = r.id OR l.domain_id = r.domain_id
                     LEFT JOIN accounts a ON a.id = l.account_id
                     LEFT JOIN domains d ON d.id = l.domain_id
                     WHERE r.id = ?1 AND l.pattern = ?2
                     ORDER BY l.domain_id IS NOT NULL",
                )?;
                let mut found = Vec::new();
                for account in &accounts {
                    for pattern in &patterns {
                        let rows = query.query_map(params![account, pattern], list_entry)?;
                        for row in rows {
                            let entry = row?;
                            if !found.contains(&entry) {
                                found.push(entry);
                            }
                        }
                    }
                }
                Ok(found)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Delivery;
    use crate::fixture::store_with_account;

    const TOKENS: [&str; 2] = ["cheap", "pills"];

    /// Does every queued job with [`TOKENS`], returning what each did.
    async fn learn_all(store: &Store) -> Result<Vec<Learned>> {
        let mut done = Vec::new();
        for job in store.junk_pending(10, 1024).await? {
            assert!(job.head.is_some_and(|h| h.starts_with(b"Subject")));
            let tokens = TOKENS.map(String::from).to_vec();
            done.push(store.junk_learn(job.id, tokens, 100).await?);
        }
        Ok(done)
    }

    async fn counts(store: &Store) -> Result<Vec<(String, u32, u32, u64)>> {
        Ok(store
            .junk_stats()
            .await?
            .into_iter()
            .map(|s| (s.kind, s.counts.spam, s.counts.ham, s.tokens))
            .collect())
    }

    /// A store whose account has one message in its INBOX, copied into Junk; the INBOX's id.
    async fn copied_to_junk() -> Result<(tempfile::TempDir, Store, AccountId, i64)> {
        let (dir, store, account) = store_with_account("a@example.test").await?;
        let message = b"Subject: cheap pills\r\n\r\nbuy\r\n".to_vec();
        store
            .deliver(Delivery::inbound("x@spam.example", message, vec![account]))
            .await?;
        let inbox = store.mailbox_snapshot(account, "INBOX").await?.info.id;
        store
            .copy_messages(account, inbox, vec![1], "Junk", false)
            .await?;
        Ok((dir, store, account, inbox))
    }

    #[tokio::test]
    async fn moves_into_and_out_of_junk_train_once_and_flip() -> Result<()> {
        let (_dir, store, account, inbox) = copied_to_junk().await?;
        // COPY into Junk again: the same message is learned once.
        store
            .copy_messages(account, inbox, vec![1], "Junk", false)
            .await?;
        assert_eq!(learn_all(&store).await?, [Learned::New, Learned::Already]);
        let spam = [("account", 1, 0, 2), ("domain", 1, 0, 2)]
            .map(|(k, s, h, t)| (k.to_string(), s, h, t));
        assert_eq!(counts(&store).await?, spam);
        // Moved back out: unlearned as spam, learned as ham.
        let junk = store.mailbox_snapshot(account, "Junk").await?.info.id;
        store
            .copy_messages(account, junk, vec![1], "INBOX", true)
            .await?;
        assert_eq!(learn_all(&store).await?, [Learned::Flipped]);
        let ham = [("account", 0, 1, 2), ("domain", 0, 1, 2)]
            .map(|(k, s, h, t)| (k.to_string(), s, h, t));
        assert_eq!(counts(&store).await?, ham);
        // Moves that do not involve Junk, and Junk to Trash, train nothing.
        store
            .copy_messages(account, inbox, vec![1], "Trash", true)
            .await?;
        let trash = store.mailbox_snapshot(account, "Trash").await?.info.id;
        store
            .copy_messages(account, trash, vec![1], "Junk", true)
            .await?;
        store
            .copy_messages(account, junk, vec![2], "Trash", true)
            .await?;
        assert_eq!(learn_all(&store).await?, [Learned::Flipped]);
        Ok(())
    }

    #[tokio::test]
    async fn a_classifier_is_pruned_to_its_limit() -> Result<()> {
        let (_dir, store, _, _) = copied_to_junk().await?;
        let job = store.junk_pending(1, 100).await?.remove(0);
        let tokens: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
        store.junk_learn(job.id, tokens, 20).await?;
        let sizes: Vec<u64> = store.junk_stats().await?.iter().map(|s| s.tokens).collect();
        assert_eq!(sizes, [18, 18]);
        Ok(())
    }

    #[tokio::test]
    async fn list_entries_match_addresses_and_parent_domains() -> Result<()> {
        let (_dir, store, account) = store_with_account("a@example.test").await?;
        store
            .set_sender_list("a@example.test", "shop.example", ListAction::Allow)
            .await?;
        store
            .set_sender_list("example.test", "bad@mail.spam.example", ListAction::Block)
            .await?;
        let found = |sender: &str| {
            let store = store.clone();
            let sender = sender.to_string();
            async move { store.sender_list_matches(vec![account], vec![sender]).await }
        };
        let allowed = found("ann@news.shop.example").await?;
        assert_eq!(
            allowed.iter().map(|e| e.action).collect::<Vec<_>>(),
            [ListAction::Allow]
        );
        let blocked = found("Bad@mail.spam.example").await?;
        assert!(blocked[0].for_domain && blocked[0].action == ListAction::Block);
        assert!(found("bad@spam.example").await?.is_empty());
        store
            .remove_sender_list("a@example.test", "shop.example")
            .await?;
        assert!(found("ann@shop.example").await?.is_empty());
        assert!(
            store
                .set_sender_list("nobody@example.test", "x.example", ListAction::Allow)
                .await
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn patterns_are_addresses_or_domains() {
        assert_eq!(
            check_pattern(" @Shop.Example ").ok().as_deref(),
            Some("shop.example")
        );
        assert_eq!(
            check_pattern("a@b.example").ok().as_deref(),
            Some("a@b.example")
        );
        for bad in ["", "nodot", "a@b@c.example", "a b.example", "x@localhost"] {
            assert!(check_pattern(bad).is_err(), "{bad:?} accepted");
        }
    }
}
