//! Domain, account, alias and export commands: each calls the management API's operation
//! (`engine::api`) on the data directory's admin context, so the CLI checks and words input
//! exactly as the panel does.

use std::io::BufRead;
use std::path::Path;

use engine::ApiError;
use engine::admin::AdminContext;
use engine::api::accounts::{AccountChange, NewAccount};
use engine::api::aliases::AliasDto;
use engine::api::domains::NewDomain;

use crate::{AccountAction, AliasAction, Command, DkimChoice, DomainAction};

pub async fn run(data_dir: &Path, command: Command) -> Result<(), String> {
    let admin = AdminContext::open(data_dir).map_err(|e| e.message)?;
    let result = match command {
        Command::Domain {
            action: DomainAction::Dns { name },
        } => crate::dns::run(&admin, &name).await,
        Command::Queue { action } => crate::queue::run(&admin, action).await,
        Command::Filter { action } => crate::filter::run(&admin, action).await,
        Command::Domain { action } => domain(&admin, action).await,
        Command::Account { action } => account(&admin, action).await,
        Command::Alias { action } => alias(&admin, action).await,
        Command::Import { action } => return crate::import::run(&admin, action).await,
        Command::Export {
            address,
            mbox,
            maildir,
        } => {
            let (written, to) = match (mbox, maildir) {
                (Some(mbox), _) => (admin.export_mbox(&address, &mbox).await, mbox),
                (None, Some(dir)) => (admin.export_maildir(&address, &dir).await, dir),
                (None, None) => unreachable!("clap requires --mbox or --maildir"),
            };
            written.map(|n| {
                println!("exported {n} message(s) of {address} to {}", to.display());
            })
        }
        Command::Serve { .. }
        | Command::Admin { .. }
        | Command::Doctor { .. }
        | Command::Service { .. }
        | Command::Firewall { .. }
        | Command::Backup { .. }
        | Command::Restore { .. } => Ok(()),
    };
    result.map_err(|e| e.message)
}

async fn domain(admin: &AdminContext, action: DomainAction) -> Result<(), ApiError> {
    match action {
        DomainAction::Add { name, dkim } => {
            let dkim = match dkim {
                DkimChoice::Rsa => "rsa",
                DkimChoice::Ed25519 => "ed25519",
                DkimChoice::None => "none",
            };
            let added = admin
                .add_domain(NewDomain {
                    name,
                    dkim: Some(dkim.to_string()),
                })
                .await?;
            println!("added domain {}", added.name);
        }
        // Printed by `dns.rs`: handled in `run`.
        DomainAction::Dns { .. } => {}
        DomainAction::List => {
            for d in admin.domains().await? {
                println!("{}", d.name);
            }
        }
        DomainAction::Remove { name } => {
            admin.remove_domain(&name).await?;
            println!("removed domain {name}");
        }
    }
    Ok(())
}

async fn account(admin: &AdminContext, action: AccountAction) -> Result<(), ApiError> {
    match action {
        AccountAction::Add { address, .. } => {
            let password = read_password()?;
            let added = admin.add_account(NewAccount { address, password }).await?;
            println!("added account {}", added.address);
        }
        AccountAction::List => {
            for a in admin.accounts().await? {
                let state = if a.disabled { " (disabled)" } else { "" };
                println!("{}{state}", a.address);
            }
        }
        AccountAction::Remove { address } => {
            admin.remove_account(&address).await?;
            println!("removed account {address}");
        }
        AccountAction::Passwd { address, .. } => {
            let password = read_password()?;
            let change = AccountChange {
                password: Some(password),
                ..AccountChange::default()
            };
            admin.change_account(&address, change).await?;
            println!("changed the password of {address}");
        }
        AccountAction::Quota {
            address,
            size: Some(size),
        } => {
            let limit = parse_size(&size).ok_or_else(|| {
                ApiError::invalid(
                    "quota_bytes",
                    format!("{size:?} is not a size: write e.g. 500M, 2G or none"),
                )
            })?;
            let change = AccountChange {
                quota_bytes: Some(limit),
                ..AccountChange::default()
            };
            admin.change_account(&address, change).await?;
            match limit {
                Some(bytes) => println!("{address} may keep {} of mail", show_size(bytes)),
                None => println!("{address} has no quota"),
            }
        }
        AccountAction::Quota {
            address,
            size: None,
        } => {
            let account = admin.account(&address).await?;
            let limit = account
                .quota_bytes
                .map_or("no limit".to_string(), show_size);
            println!(
                "{address}: {} used of {limit}",
                show_size(account.used_bytes)
            );
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

async fn alias(admin: &AdminContext, action: AliasAction) -> Result<(), ApiError> {
    match action {
        AliasAction::Add { address, targets } => {
            let shown = format!("added alias {address} -> {}", targets.join(", "));
            admin.add_alias(AliasDto { address, targets }).await?;
            println!("{shown}");
        }
        AliasAction::List => {
            for a in admin.aliases().await? {
                println!("{} -> {}", a.address, a.targets.join(", "));
            }
        }
        AliasAction::Remove { address } => {
            admin.remove_alias(&address).await?;
            println!("removed alias {address}");
        }
    }
    Ok(())
}

/// `--password-stdin`: one line; the line ending is not part of the password.
fn read_password() -> Result<String, ApiError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| ApiError::invalid("password", format!("cannot read the password: {e}")))?;
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
