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

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};

use crate::admin::is_local;
use crate::{AccountId, Resolution, Result, Store, StoreError, address};

/// How deep aliases may nest before the rest is cut (with a warning).
const MAX_DEPTH: usize = 10;

pub(crate) async fn resolve(store: &Store, address: &str) -> Result<Resolution> {
    let address = address::normalize(address);
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
