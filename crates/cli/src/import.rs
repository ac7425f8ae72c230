//! `import mbox|maildir|eml PATH --to ADDRESS [--mailbox NAME]`: moving mail in from another
//! system's files (engine::api::import).

use std::path::PathBuf;

use clap::Subcommand;
use engine::admin::AdminContext;

#[derive(Subcommand)]
pub enum ImportAction {
    /// An mbox file (Thunderbird, Outlook, Foxmail exports; `postroom export`).
    Mbox {
        path: PathBuf,
        #[command(flatten)]
        to: Target,
    },
    /// A Maildir folder with its Maildir++ sub-folders (Dovecot, Courier).
    Maildir {
        path: PathBuf,
        #[command(flatten)]
        to: Target,
    },
    /// One .eml file, or a folder of them (hMailServer's data folders, saved messages).
    Eml {
        path: PathBuf,
        #[command(flatten)]
        to: Target,
    },
}

#[derive(clap::Args)]
pub struct Target {
    /// The account to import into.
    #[arg(long)]
    to: String,
    /// The mailbox (made if missing); a Maildir's sub-folders go below it.
    #[arg(long, default_value = "INBOX")]
    mailbox: String,
}

pub async fn run(admin: &AdminContext, action: ImportAction) -> Result<(), String> {
    let (report, to) = match action {
        ImportAction::Mbox { path, to } => {
            let source = backup::import::Mbox::open(&path).map_err(|e| e.to_string())?;
            (import(admin, &to, source).await?, to)
        }
        ImportAction::Maildir { path, to } => {
            let source = backup::import::maildir(&path).map_err(|e| e.to_string())?;
            (import(admin, &to, source).await?, to)
        }
        ImportAction::Eml { path, to } => {
            let source = backup::import::eml(&path).map_err(|e| e.to_string())?;
            (import(admin, &to, source).await?, to)
        }
    };
    println!(
        "imported {} message(s) into {} ({}); {} already there",
        report.imported,
        to.to,
        report.mailboxes.into_iter().collect::<Vec<_>>().join(", "),
        report.present
    );
    Ok(())
}

async fn import(
    admin: &AdminContext,
    to: &Target,
    source: impl Iterator<Item = Result<backup::import::Imported, backup::import::ImportError>>,
) -> Result<engine::api::import::ImportReport, String> {
    admin
        .import_messages(&to.to, &to.mailbox, source)
        .await
        .map_err(|e| e.message)
}
