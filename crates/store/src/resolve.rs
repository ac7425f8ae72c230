//! Recipient resolution: which local accounts and outside addresses receive mail sent to one
//! address, after aliases, lists, forwards and the catch-all.
//!
//! Order for the address itself: an alias of that exact address; else an (enabled) account;
//! else, in a local domain, the catch-all alias `@domain`; else unknown. Outside domains are
//! not ours.
//!
//! Targets expand recursively: a target that is an alias is expanded, unless that alias is
//! already being expanded — then the target means the account of that address. So
//! `a@x -> a@x, b@remote` keeps a copy in a@x and forwards one, and `a -> b -> a` stops. Depth
//! is limited; accounts and outside addresses are deduplicated.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use rusqlite::{Connection, OptionalExtension};

use crate::admin::is_local;
use crate::{AccountId, Resolution, Result, Store, StoreError, address};

/// How deep aliases may nest before the rest is cut (with a warning).
const MAX_DEPTH: usize = 10;

/// Most addresses the cache holds; past it, it starts over (random-address floods from
/// spammers must not grow memory).
const CACHE_ENTRIES: usize = 10_000;

/// Resolutions cached in memory, so a RCPT usually costs no database round trip.
///
/// The directory (domains, accounts, aliases) changes from this process or from the `postroom`
/// CLI in another one; every change, after its commit, touches a stamp file next to the
/// database (`postroom.db-directory`), and the cache forgets everything when the stamp's
/// (mtime, length) differ from what it last saw: one `stat` per lookup.
pub(crate) struct Cache {
    stamp_path: PathBuf,
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    stamp: Option<(SystemTime, u64)>,
    entries: HashMap<String, Resolution>,
    /// Accounts' storage limits (`None`: unlimited), so RCPT's quota check needs no read for
    /// an unlimited account. A limit is directory data: `Store::set_quota` touches the stamp.
    limits: HashMap<AccountId, Option<u64>>,
}

impl Cache {
    pub(crate) fn new(db_path: &Path) -> Cache {
        let mut name = db_path.file_name().unwrap_or_default().to_os_string();
        name.push("-directory");
        Cache {
            stamp_path: db_path.with_file_name(name),
            state: Mutex::new(CacheState::default()),
        }
    }

    fn stamp(&self) -> Option<(SystemTime, u64)> {
        let meta = std::fs::metadata(&self.stamp_path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    }

    /// The cached resolution, and the stamp to pass to [`Cache::insert`] after a lookup.
    fn get(&self, address: &str) -> (Option<Resolution>, Option<(SystemTime, u64)>) {
        let stamp = self.stamp();
        let Ok(mut state) = self.state.lock() else {
            return (None, stamp);
        };
        state.refresh(stamp);
        (state.entries.get(address).cloned(), stamp)
    }

    /// Whether every one of `accounts` is known to have no storage limit, and the stamp to
    /// pass to [`Cache::insert_limits`] after reading them.
    pub(crate) fn all_unlimited(
        &self,
        accounts: &[AccountId],
    ) -> (bool, Option<(SystemTime, u64)>) {
        let stamp = self.stamp();
        let Ok(mut state) = self.state.lock() else {
            return (false, stamp);
        };
        state.refresh(stamp);
        let known = accounts
            .iter()
            .all(|a| matches!(state.limits.get(a), Some(None)));
        (known, stamp)
    }

    /// Keeps limits just read, unless the directory changed meanwhile.
    pub(crate) fn insert_limits(
        &self,
        limits: Vec<(AccountId, Option<u64>)>,
        stamp_before: Option<(SystemTime, u64)>,
    ) {
        self.if_unchanged(stamp_before, |state| {
            if state.limits.len() >= CACHE_ENTRIES {
                state.limits.clear();
            }
            state.limits.extend(limits);
        });
    }

    /// Keeps a lookup's result unless the directory changed while it ran.
    fn insert(
        &self,
        address: String,
        resolution: Resolution,
        stamp_before: Option<(SystemTime, u64)>,
    ) {
        self.if_unchanged(stamp_before, |state| {
            if state.entries.len() >= CACHE_ENTRIES {
                state.entries.clear();
            }
            state.entries.insert(address, resolution);
        });
    }

    /// Runs `keep` on the state if the directory is still as it was at `stamp_before`.
    fn if_unchanged(
        &self,
        stamp_before: Option<(SystemTime, u64)>,
        keep: impl FnOnce(&mut CacheState),
    ) {
        if self.stamp() != stamp_before {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.stamp == stamp_before {
            keep(&mut state);
        }
    }

    /// Tells every process's cache that the directory changed. Call after the commit.
    pub(crate) fn invalidate(&self) {
        use std::io::Write;
        // Appending changes both mtime and length, so even a coarse clock shows the change.
        let grown = std::fs::metadata(&self.stamp_path)
            .map(|m| m.len() > 4096)
            .unwrap_or(false);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(!grown)
            .write(true)
            .truncate(grown)
            .open(&self.stamp_path);
        match file.and_then(|mut f| f.write_all(b".")) {
            Ok(()) => {}
            Err(e) => {
                tracing::warn!(path = %self.stamp_path.display(), error = %e, "cannot mark the directory as changed; other processes may use old recipient data");
            }
        }
        if let Ok(mut state) = self.state.lock() {
            state.entries.clear();
            state.limits.clear();
            state.stamp = None;
        }
    }
}

impl CacheState {
    /// Forgets everything when the directory's stamp moved.
    fn refresh(&mut self, stamp: Option<(SystemTime, u64)>) {
        if self.stamp != stamp {
            self.entries.clear();
            self.limits.clear();
            self.stamp = stamp;
        }
    }
}

pub(crate) async fn resolve(store: &Store, address: &str) -> Result<Resolution> {
    let address = address::normalize(address);
    if crate::srs::is_srs(&address)
        && let Some(resolution) = resolve_srs(store, &address).await?
    {
        return Ok(resolution);
    }
    let cache = &store.inner.resolve_cache;
    let (cached, stamp) = cache.get(&address);
    if let Some(resolution) = cached {
        return Ok(resolution);
    }
    let resolution = resolve_uncached(store, address.clone()).await?;
    cache.insert(address, resolution.clone(), stamp);
    Ok(resolution)
}

/// An SRS0 address in one of our domains (`srs.rs`): a bounce of mail we forwarded goes on
/// to the original sender; a forged or expired one is nobody's (refused, else we would relay
/// for anyone). `None` when the domain is not ours.
async fn resolve_srs(store: &Store, address: &str) -> Result<Option<Resolution>> {
    let Some(domain) = address::domain_of(address).map(str::to_string) else {
        return Ok(None);
    };
    let ours = store
        .inner
        .readers
        .read(move |conn| is_local(conn, &domain))
        .await?;
    if !ours {
        return Ok(None);
    }
    let original = match store.srs_reverse(address)? {
        Ok(original) => original,
        Err(e) => {
            tracing::info!(address, error = %e, "SRS address refused");
            return Ok(Some(Resolution::Unknown));
        }
    };
    // The original sender may be ours (then it is resolved as usual) or outside.
    Ok(Some(match Box::pin(resolve(store, &original)).await? {
        Resolution::NotLocal => Resolution::Deliver {
            accounts: Vec::new(),
            remote: vec![address::normalize(&original)],
        },
        other => other,
    }))
}

async fn resolve_uncached(store: &Store, address: String) -> Result<Resolution> {
    let Some(domain) = address
        .rsplit_once('@')
        .filter(|(local, domain)| !local.is_empty() && !domain.is_empty())
        .map(|(_, domain)| domain.to_string())
    else {
        return Err(StoreError::Invalid(format!(
            "{address:?} is not a valid address: it needs the form name@domain"
        )));
    };
    store
        .inner
        .readers
        .read(move |conn| {
            // One read transaction: every lookup sees the same state.
            let tx = conn.unchecked_transaction()?;
            let resolution = resolve_in(&tx, &address, &domain)?;
            tx.finish()?;
            Ok(resolution)
        })
        .await
}

fn resolve_in(conn: &Connection, address: &str, domain: &str) -> Result<Resolution> {
    let mut found = Found::default();
    if let Some(targets) = alias_targets(conn, address)? {
        found.expand(conn, address, targets, 0)?;
    } else if let Some((id, disabled)) = account(conn, address)? {
        if disabled {
            return Ok(Resolution::Unknown);
        }
        return Ok(Resolution::Deliver {
            accounts: vec![id],
            remote: Vec::new(),
        });
    } else if !is_local(conn, domain)? {
        return Ok(Resolution::NotLocal);
    } else {
        let catch_all = format!("@{domain}");
        match alias_targets(conn, &catch_all)? {
            Some(targets) => found.expand(conn, &catch_all, targets, 0)?,
            None if is_role_address(address) => return postmaster_in(conn, Some(domain)),
            None => return Ok(Resolution::Unknown),
        }
    }
    if found.accounts.is_empty() && found.remote.is_empty() {
        // Every target was unknown, disabled or cut as a loop: nobody takes it.
        return Ok(Resolution::Unknown);
    }
    Ok(Resolution::Deliver {
        accounts: found.accounts,
        remote: found.remote,
    })
}

/// Whether `address` is postmaster@ (RFC 5321 §4.5.1) or abuse@ (RFC 2142 §2, §4: the
/// mailbox for reports of inappropriate public behaviour, which blocklist operators and other
/// networks write to) some domain; the local part is case-insensitive.
fn is_role_address(address: &str) -> bool {
    address.rsplit_once('@').is_some_and(|(local, _)| {
        local.eq_ignore_ascii_case("postmaster") || local.eq_ignore_ascii_case("abuse")
    })
}

/// RFC 5321 §4.5.1: every SMTP server MUST accept mail for postmaster (and RFC 2142 asks the
/// same of abuse). When the office made no account or alias for it, it goes to the domain's first enabled account (the one the setup
/// wizard made for the office manager), else the server's first enabled account; `Unknown`
/// only when there is no enabled account at all.
fn postmaster_in(conn: &Connection, domain: Option<&str>) -> Result<Resolution> {
    let first = conn
        .prepare_cached(
            "SELECT a.id FROM accounts a JOIN domains d ON d.id = a.domain_id
             WHERE a.disabled = 0 AND (?1 IS NULL OR d.name = ?1 COLLATE NOCASE)
             ORDER BY a.id LIMIT 1",
        )?
        .query_row([domain], |row| row.get::<_, AccountId>(0))
        .optional()?;
    match first {
        Some(id) => Ok(Resolution::Deliver {
            accounts: vec![id],
            remote: Vec::new(),
        }),
        None if domain.is_some() => postmaster_in(conn, None),
        None => Ok(Resolution::Unknown),
    }
}

/// Postmaster at our host name when the host name is not one of the mail domains
/// (`RCPT TO:<postmaster>`, RFC 5321 §4.1.1.3): the server's first enabled account.
pub(crate) async fn resolve_postmaster(store: &Store) -> Result<Resolution> {
    store
        .inner
        .readers
        .read(|conn| postmaster_in(conn, None))
        .await
}

/// What the expansion reached so far.
#[derive(Default)]
struct Found {
    accounts: Vec<AccountId>,
    remote: Vec<String>,
    /// Aliases being or already expanded.
    expanded: HashSet<String>,
}

impl Found {
    fn expand(
        &mut self,
        conn: &Connection,
        alias: &str,
        targets: Vec<String>,
        depth: usize,
    ) -> Result<()> {
        self.expanded.insert(alias.to_string());
        for target in targets {
            let Some(domain) = address::domain_of(&target) else {
                continue;
            };
            if !is_local(conn, domain)? {
                if !self.remote.contains(&target) {
                    self.remote.push(target);
                }
                continue;
            }
            // An alias already being expanded means its account (keep a copy; no loop).
            if !self.expanded.contains(&target)
                && let Some(next) = alias_targets(conn, &target)?
            {
                if depth + 1 >= MAX_DEPTH {
                    tracing::warn!(alias, target, "aliases nest too deep; the rest is cut");
                } else {
                    self.expand(conn, &target, next, depth + 1)?;
                }
                continue;
            }
            match account(conn, &target)? {
                Some((id, false)) => {
                    if !self.accounts.contains(&id) {
                        self.accounts.push(id);
                    }
                }
                Some((_, true)) => {
                    tracing::debug!(alias, target, "alias target is a disabled account");
                }
                None if self.expanded.contains(&target) => {}
                None => tracing::warn!(alias, target, "alias target does not exist"),
            }
        }
        Ok(())
    }
}

/// The targets of the alias with exactly this address, if there is one.
fn alias_targets(conn: &Connection, address: &str) -> Result<Option<Vec<String>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.target FROM aliases a JOIN alias_targets t ON t.alias_id = a.id
         WHERE a.address = ?1 ORDER BY t.id",
    )?;
    let targets = stmt
        .query_map([address], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(if targets.is_empty() {
        None
    } else {
        Some(targets)
    })
}

/// The account with this address: its id and whether it is disabled.
fn account(conn: &Connection, address: &str) -> Result<Option<(AccountId, bool)>> {
    Ok(conn
        .prepare_cached("SELECT id, disabled FROM accounts WHERE address = ?1")?
        .query_row([address], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}
