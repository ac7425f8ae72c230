//! `backup now|list|verify|prune` and `restore`: the data directory as one checksummed
//! archive, made while `serve` runs (crates/backup).

use std::path::{Path, PathBuf};

use clap::Subcommand;

#[derive(Subcommand)]
pub enum BackupAction {
    /// Back up the data directory now (safe while the server runs); prints the archive's path
    /// as the last line.
    Now {
        /// The folder to write into: another disk, a USB stick, a network share.
        #[arg(long)]
        to: PathBuf,
    },
    /// The backups in a folder, oldest first, with what each holds.
    List {
        #[arg(long)]
        to: PathBuf,
    },
    /// Check an archive completely: every checksum, the database's integrity, its counts.
    Verify { file: PathBuf },
    /// Remove backups the retention keeps no more: the newest of each of the last DAILY
    /// days and of each of the last WEEKLY weeks stay.
    Prune {
        #[arg(long)]
        to: PathBuf,
        #[arg(long, default_value_t = 7)]
        daily: usize,
        #[arg(long, default_value_t = 4)]
        weekly: usize,
    },
}

pub fn run(data_dir: &Path, action: BackupAction) -> Result<(), String> {
    match action {
        BackupAction::Now { to } => {
            let path = backup::create(data_dir, &to).map_err(|e| e.to_string())?;
            let manifest = backup::verify(&path).map_err(|e| e.to_string())?;
            println!("{}", summary(&manifest));
            println!("{}", path.display());
        }
        BackupAction::List { to } => {
            for listed in backup::list(&to).map_err(|e| e.to_string())? {
                let what = match &listed.manifest {
                    Ok(manifest) => summary(manifest),
                    Err(why) => format!("unreadable: {why}"),
                };
                println!("{}\t{} bytes\t{what}", listed.path.display(), listed.size);
            }
        }
        BackupAction::Verify { file } => {
            let manifest = backup::verify(&file).map_err(|e| e.to_string())?;
            println!("{}: good; {}", file.display(), summary(&manifest));
        }
        BackupAction::Prune { to, daily, weekly } => {
            for removed in backup::prune(&to, daily, weekly).map_err(|e| e.to_string())? {
                println!("removed {}", removed.display());
            }
        }
    }
    Ok(())
}

/// `postroom restore ARCHIVE`: the data directory (new or empty) made from the archive.
pub fn restore(data_dir: &Path, archive: &Path) -> Result<(), String> {
    let manifest = backup::restore(archive, data_dir).map_err(|e| e.to_string())?;
    println!(
        "restored {} into {}: {}",
        archive.display(),
        data_dir.display(),
        summary(&manifest)
    );
    Ok(())
}

fn summary(manifest: &backup::Manifest) -> String {
    let c = &manifest.counts;
    format!(
        "made {} by Postroom {}: {} domains, {} accounts, {} mailboxes, {} messages, {} queued",
        manifest.created,
        manifest.version,
        c.domains,
        c.accounts,
        c.mailboxes,
        c.messages,
        c.queued
    )
}
