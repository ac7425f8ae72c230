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
        Command::Serve | Command::Admin { .. } => Ok(()),
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
    }
    Ok(())
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
