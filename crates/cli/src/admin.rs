//! Domain, account, alias and export commands.

use std::io::BufRead;
use std::path::Path;

use engine::admin;

use crate::{AccountAction, AliasAction, Command, DkimChoice, DomainAction};

pub async fn run(data_dir: &Path, command: Command) -> Result<(), String> {
    let store = admin::open(data_dir).map_err(|e| e.to_string())?;
    let result = match command {
        Command::Domain {
            action: DomainAction::Dns { name },
        } => crate::dns::run(data_dir, &store, &name).await,
        Command::Queue { action } => crate::queue::run(&store, action).await,
        Command::Domain { action } => domain(&store, action).await,
        Command::Account { action } => account(&store, action).await,
        Command::Alias { action } => alias(&store, action).await,
        Command::Export { address, mbox } => store.export_mbox(&address, &mbox).await.map(|n| {
            println!("exported {n} message(s) of {address} to {}", mbox.display());
        }),
        Command::Serve { .. }
        | Command::Admin { .. }
        | Command::Doctor { .. }
        | Command::Service { .. }
        | Command::Firewall { .. } => Ok(()),
    };
    result.map_err(|e| e.to_string())
}

async fn domain(store: &admin::Store, action: DomainAction) -> Result<(), admin::StoreError> {
    match action {
        DomainAction::Add { name, dkim } => {
            let kind = match dkim {
                DkimChoice::Rsa => Some(admin::DkimKind::Rsa),
                DkimChoice::Ed25519 => Some(admin::DkimKind::Ed25519),
                DkimChoice::None => None,
            };
            admin::add_domain(store, &name, kind).await?;
            println!("added domain {}", name.to_ascii_lowercase());
        }
        // Needs the data directory (for the host name): handled in `run`.
        DomainAction::Dns { .. } => {}
        DomainAction::List => {
            for d in store.list_domains().await? {
                println!("{}", d.name);
            }
        }
        DomainAction::Remove { name } => {
            store.remove_domain(&name).await?;
            println!("removed domain {name}");
        }
    }
    Ok(())
}

async fn account(store: &admin::Store, action: AccountAction) -> Result<(), admin::StoreError> {
    match action {
        AccountAction::Add { address, .. } => {
            let password = read_password()?;
            store.add_account(&address, &password).await?;
            println!("added account {address}");
        }
        AccountAction::List => {
            for a in store.list_accounts().await? {
                let state = if a.disabled { " (disabled)" } else { "" };
                println!("{}{state}", a.address);
            }
        }
        AccountAction::Remove { address } => {
            store.remove_account(&address).await?;
            println!("removed account {address}");
        }
        AccountAction::Passwd { address, .. } => {
            let password = read_password()?;
            store.set_password(&address, &password).await?;
            println!("changed the password of {address}");
        }
        AccountAction::Quota {
            address,
            size: Some(size),
        } => {
            let limit = parse_size(&size).ok_or_else(|| {
                admin::StoreError::Invalid(format!(
                    "{size:?} is not a size: write e.g. 500M, 2G or none"
                ))
            })?;
            store.set_quota(&address, limit).await?;
            match limit {
                Some(bytes) => println!("{address} may keep {} of mail", show_size(bytes)),
                None => println!("{address} has no quota"),
            }
        }
        AccountAction::Quota {
            address,
            size: None,
        } => {
            let quota = store.quota(&address).await?;
            let limit = quota.quota_bytes.map_or("no limit".to_string(), show_size);
            println!("{address}: {} used of {limit}", show_size(quota.used_bytes));
        }
    }
    Ok(())
}

/// `500M`, `2G`, `1024`, `none`: bytes (K, M, G, T are powers of 1024); `None` is no limit.
fn parse_size(text: &str) -> Option<Option<u64>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let shift = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches(['B', 'I'])
    {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    digits
        .parse::<u64>()
        .ok()?
        .checked_mul(1 << shift)
        .map(Some)
}

fn show_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

async fn alias(store: &admin::Store, action: AliasAction) -> Result<(), admin::StoreError> {
    match action {
        AliasAction::Add { address, targets } => {
            store.add_alias(&address, &targets).await?;
            println!("added alias {address} -> {}", targets.join(", "));
        }
        AliasAction::List => {
            for a in store.list_aliases().await? {
                println!("{} -> {}", a.address, a.targets.join(", "));
            }
        }
        AliasAction::Remove { address } => {
            store.remove_alias(&address).await?;
            println!("removed alias {address}");
        }
    }
    Ok(())
}

/// `--password-stdin`: one line; the line ending is not part of the password.
fn read_password() -> Result<String, admin::StoreError> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_binary_units_or_none() {
        assert_eq!(parse_size("1024"), Some(Some(1024)));
        assert_eq!(parse_size("500M"), Some(Some(500 << 20)));
        assert_eq!(parse_size("2 GiB"), Some(Some(2 << 30)));
        assert_eq!(parse_size("none"), Some(None));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5X"), None);
        assert_eq!(parse_size("99999999999T"), None);
    }

    #[test]
    fn sizes_show_in_the_largest_unit() {
        assert_eq!(show_size(512), "512 bytes");
        assert_eq!(show_size(1536), "1.5 KiB");
        assert_eq!(show_size(2 << 30), "2.0 GiB");
    }
}
