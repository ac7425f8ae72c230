//! Domains, accounts and aliases: add, list, remove, passwords, authentication.
//!
//! Checks that depend on other rows (the domain exists, the address is free) run inside the
//! write job, so two administrators racing each other cannot both succeed.

use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    Account, AccountId, Alias, Domain, Result, Store, StoreError, address, password, unix_now,
};

/// The mailboxes every new account starts with, and their RFC 6154 special use.
const DEFAULT_MAILBOXES: &[(&str, Option<&str>)] = &[
    ("INBOX", None),
    ("Sent", Some("\\Sent")),
    ("Drafts", Some("\\Drafts")),
    ("Trash", Some("\\Trash")),
    ("Junk", Some("\\Junk")),
];

pub(crate) async fn add_domain(store: &Store, name: &str) -> Result<()> {
    let name = address::normalize(name);
    address::check_domain(&name)?;
    store
        .write(move |conn, _| {
            let added = conn
                .prepare_cached(
                    "INSERT INTO domains (name, created_at) VALUES (?1, ?2)
                     ON CONFLICT (name) DO NOTHING",
                )?
                .execute(params![name, unix_now()])?;
            if added == 0 {
                return Err(StoreError::AlreadyExists(format!(
                    "domain {name} already exists"
                )));
            }
            Ok(())
        })
        .await
}

pub(crate) async fn remove_domain(store: &Store, name: &str) -> Result<()> {
    let name = address::normalize(name);
    store
        .write(move |conn, _| {
            let id = conn
                .prepare_cached("SELECT id FROM domains WHERE name = ?1")?
                .query_row([&name], |row| row.get::<_, i64>(0))
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("unknown domain {name}")))?;
            let count = |sql: &str| -> Result<i64> {
                Ok(conn
                    .prepare_cached(sql)?
                    .query_row([id], |row| row.get(0))?)
            };
            let accounts = count("SELECT count(*) FROM accounts WHERE domain_id = ?1")?;
            let aliases = count("SELECT count(*) FROM aliases WHERE domain_id = ?1")?;
            if accounts + aliases > 0 {
                let mut parts = Vec::new();
                if accounts > 0 {
                    parts.push(plural(accounts, "account", "accounts"));
                }
                if aliases > 0 {
                    parts.push(plural(aliases, "alias", "aliases"));
                }
                let them = if accounts + aliases == 1 {
                    "it"
                } else {
                    "them"
                };
                return Err(StoreError::Invalid(format!(
                    "domain {name} still has {}; remove {them} first",
                    parts.join(" and ")
                )));
            }
            conn.prepare_cached("DELETE FROM domains WHERE id = ?1")?
                .execute([id])?;
            Ok(())
        })
        .await
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) async fn list_domains(store: &Store) -> Result<Vec<Domain>> {
    store
        .read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT name FROM domains ORDER BY name")?;
            let rows = stmt.query_map([], |row| Ok(Domain { name: row.get(0)? }))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
}

pub(crate) async fn is_local_domain(store: &Store, name: &str) -> Result<bool> {
    let name = address::normalize(name);
    store.read(move |conn| is_local(conn, &name)).await
}

/// Whether `domain` (normalised) is one of ours.
pub(crate) fn is_local(conn: &Connection, domain: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM domains WHERE name = ?1)")?
        .query_row([domain], |row| row.get(0))?)
}

/// The id of a domain that must exist for an account or alias to be added.
fn required_domain(conn: &Connection, domain: &str) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM domains WHERE name = ?1")?
        .query_row([domain], |row| row.get(0))
        .optional()?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "unknown domain {domain}; add it first with `postroom domain add {domain}`"
            ))
        })
}

pub(crate) async fn add_account(store: &Store, address: &str, password: &str) -> Result<AccountId> {
    let address = address::normalize(address);
    let domain = address::check_address(&address)?.to_string();
    password::check(&address, password)?;
    let hash = password::hash(password.to_string()).await?;
    store
        .write(move |conn, _| {
            let domain_id = required_domain(conn, &domain)?;
            let now = unix_now();
            let id: AccountId = conn
                .prepare_cached(
                    "INSERT INTO accounts (domain_id, address, password_hash, created_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (address) DO NOTHING RETURNING id",
                )?
                .query_row(params![domain_id, address, hash, now], |row| row.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::AlreadyExists(format!("account {address} already exists"))
                })?;
            let mut mailbox = conn.prepare_cached(
                "INSERT INTO mailboxes (account_id, name, special_use, uid_validity)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (name, special_use) in DEFAULT_MAILBOXES {
                mailbox.execute(params![id, name, special_use, now])?;
            }
            Ok(id)
        })
        .await
}

pub(crate) async fn list_accounts(store: &Store) -> Result<Vec<Account>> {
    store
        .read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT id, address, disabled FROM accounts ORDER BY address")?;
            let rows = stmt.query_map([], |row| {
                Ok(Account {
                    id: row.get(0)?,
                    address: row.get(1)?,
                    disabled: row.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
}

/// Runs `sql` (an UPDATE or DELETE of `accounts` whose last parameter is the address) and
/// reports an unknown account.
async fn change_account<P>(store: &Store, address: &str, sql: &'static str, params: P) -> Result<()>
where
    P: rusqlite::Params + Send + 'static,
{
    let address = address::normalize(address);
    store
        .write(move |conn, _| {
            if conn.prepare_cached(sql)?.execute(params)? == 0 {
                return Err(StoreError::NotFound(format!("unknown account {address}")));
            }
            Ok(())
        })
        .await
}

pub(crate) async fn remove_account(store: &Store, address: &str) -> Result<()> {
    // Mailboxes and messages go by ON DELETE CASCADE; blob refcounts follow by trigger.
    let normalized = address::normalize(address);
    change_account(
        store,
        address,
        "DELETE FROM accounts WHERE address = ?1",
        [normalized],
    )
    .await
}

pub(crate) async fn set_password(store: &Store, address: &str, password: &str) -> Result<()> {
    let normalized = address::normalize(address);
    password::check(&normalized, password)?;
    let hash = password::hash(password.to_string()).await?;
    change_account(
        store,
        address,
        "UPDATE accounts SET password_hash = ?1 WHERE address = ?2",
        (hash, normalized),
    )
    .await
}

pub(crate) async fn set_disabled(store: &Store, address: &str, disabled: bool) -> Result<()> {
    let normalized = address::normalize(address);
    change_account(
        store,
        address,
        "UPDATE accounts SET disabled = ?1 WHERE address = ?2",
        (disabled, normalized),
    )
    .await
}

pub(crate) async fn authenticate(
    store: &Store,
    username: &str,
    password: &str,
) -> Result<Option<Account>> {
    let address = address::normalize(username);
    let found = store
        .read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, address, disabled, password_hash FROM accounts WHERE address = ?1",
                )?
                .query_row([address], |row| {
                    Ok((
                        Account {
                            id: row.get(0)?,
                            address: row.get(1)?,
                            disabled: row.get(2)?,
                        },
                        row.get::<_, String>(3)?,
                    ))
                })
                .optional()?)
        })
        .await?;
    let verified = &store.inner.verified;
    if let Some((account, stored)) = &found
        && !account.disabled
        && verified.contains(account.id, stored, password)
    {
        return Ok(Some(account.clone()));
    }
    let (account, stored) = match found {
        Some((account, stored)) => (Some(account), Some(stored)),
        None => (None, None),
    };
    // Verified even for an unknown or disabled account: the answer takes as long either way.
    let matches = password::verify(stored.clone(), password.to_string()).await?;
    if let (Some(account), Some(stored)) = (&account, &stored) {
        if matches && !account.disabled {
            verified.insert(account.id, stored, password);
        } else {
            // A wrong password (what the lockout counts), or a disabled account.
            verified.forget(account.id);
        }
    }
    Ok(account.filter(|account| matches && !account.disabled))
}

pub(crate) async fn add_alias(store: &Store, address: &str, targets: &[String]) -> Result<()> {
    let address = address::normalize(address);
    let domain = address::check_alias_address(&address)?.to_string();
    if targets.is_empty() {
        return Err(StoreError::Invalid(format!(
            "alias {address} needs at least one target"
        )));
    }
    let mut checked: Vec<String> = Vec::with_capacity(targets.len());
    for target in targets {
        let target = address::normalize(target);
        address::check_address(&target)?;
        if !checked.contains(&target) {
            checked.push(target);
        }
    }
    store
        .write(move |conn, _| {
            let domain_id = required_domain(conn, &domain)?;
            let id: i64 = conn
                .prepare_cached(
                    "INSERT INTO aliases (domain_id, address, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (address) DO NOTHING RETURNING id",
                )?
                .query_row(params![domain_id, address, unix_now()], |row| row.get(0))
                .optional()?
                .ok_or_else(|| {
                    StoreError::AlreadyExists(format!("alias {address} already exists"))
                })?;
            let mut insert = conn
                .prepare_cached("INSERT INTO alias_targets (alias_id, target) VALUES (?1, ?2)")?;
            for target in &checked {
                insert.execute(params![id, target])?;
            }
            Ok(())
        })
        .await
}

pub(crate) async fn list_aliases(store: &Store) -> Result<Vec<Alias>> {
    store
        .read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.address, t.target FROM aliases a JOIN alias_targets t ON t.alias_id = a.id
                 ORDER BY a.address, t.id",
            )?;
            let mut rows = stmt.query([])?;
            let mut aliases: Vec<Alias> = Vec::new();
            while let Some(row) = rows.next()? {
                let address: String = row.get(0)?;
                let target: String = row.get(1)?;
                match aliases.last_mut() {
                    Some(last) if last.address == address => last.targets.push(target),
                    _ => aliases.push(Alias {
                        address,
                        targets: vec![target],
                    }),
                }
            }
            Ok(aliases)
        })
        .await
}

pub(crate) async fn remove_alias(store: &Store, address: &str) -> Result<()> {
    let address = address::normalize(address);
    store
        .write(move |conn, _| {
            let removed = conn
                .prepare_cached("DELETE FROM aliases WHERE address = ?1")?
                .execute([&address])?;
            if removed == 0 {
                return Err(StoreError::NotFound(format!("unknown alias {address}")));
            }
            Ok(())
        })
        .await
}
