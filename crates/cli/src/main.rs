//! `postroom`: run the mail server headless, and administer it from the command line.
//!
//! Admin commands open the same database as a running `serve` and take effect at once.
//! Every failure prints one plain line to stderr and exits with status 1.
//!
//! # Layout
//! - `main.rs`: the command line (clap) and dispatch.
//! - `serve.rs`: `serve`: start the engine, print the listeners, stop on SIGINT/SIGTERM.
//! - `directory.rs`: domain, account, alias and export commands, through the management
//!   API's operations (`engine::api`) on the data directory's admin context.
//! - `queue.rs`: `queue list/show/retry/delete/hold/release`: the outbound queue.
//! - `dns.rs`: `domain dns NAME`: the DNS records to publish.
//! - `admin.rs`: `admin token`, `admin open`: signing in to the admin API (and opening
//!   the default browser).
//! - `doctor.rs`: `doctor`: the connectivity checks, in English or Chinese.
//! - `service/`: `service install/uninstall/run/status` (`windows.rs`: the Windows
//!   service) and `firewall sync` (Windows Firewall rules for the mail ports).
//! - `eventlog.rs`: errors of the Windows service to the Windows Event Log.
//! - `backup.rs`: `backup now/list/verify/prune` and `restore` (crates/backup).
//! - `import.rs`: `import mbox/maildir/eml`: moving mail in from another system's files.

mod admin;
mod backup;
mod directory;
mod dns;
mod doctor;
#[cfg(windows)]
mod eventlog;
mod filter;
mod import;
mod queue;
mod serve;
mod service;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "postroom",
    version,
    about = "Postroom: a complete mail server for a small office"
)]
struct Cli {
    /// Data directory (postroom.toml, the database, certificates). Default: the user's data
    /// directory (~/.local/share/postroom, %LOCALAPPDATA%\Postroom); for `service` and
    /// `firewall`, the service's (%ProgramData%\Postroom).
    #[arg(long, global = true, env = "POSTROOM_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the mail server (headless) with DIR/postroom.toml; writes a default file on first start.
    Serve {
        /// Stop gracefully when standard input closes: for a program that runs the engine as
        /// its child (the tray app) and holds the pipe open; it closes when that program
        /// quits or dies, so the engine never outlives it.
        #[arg(long)]
        stop_on_stdin_close: bool,
    },
    /// Domains we receive mail for.
    Domain {
        #[command(subcommand)]
        action: DomainAction,
    },
    /// The outbound queue: mail waiting to go out, its attempts, and control over it.
    Queue {
        #[command(subcommand)]
        action: queue::QueueAction,
    },
    /// Mail accounts.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Aliases, distribution lists, forwards and catch-alls (`@domain`).
    Alias {
        #[command(subcommand)]
        action: AliasAction,
    },
    /// The content filter: allow and block lists per account or domain, the classifiers.
    Filter {
        #[command(subcommand)]
        action: filter::FilterAction,
    },
    /// The admin HTTP API (`[listen] admin`): its token and sign-in links.
    Admin {
        #[command(subcommand)]
        action: admin::AdminAction,
    },
    /// Check this line for mail: port 25, public IP, reverse DNS, MX, blocklists, smart host.
    Doctor {
        /// Language of the texts: en or zh (Simplified Chinese).
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// The engine as a Windows service (on Linux and macOS: systemd and launchd).
    Service {
        #[command(subcommand)]
        action: service::ServiceAction,
    },
    /// Windows Firewall rules for the mail ports.
    Firewall {
        #[command(subcommand)]
        action: FirewallAction,
    },
    /// Backups of the data directory while the server runs.
    Backup {
        #[command(subcommand)]
        action: backup::BackupAction,
    },
    /// Make the data directory (new or empty) from a backup archive.
    Restore { archive: PathBuf },
    /// Move mail in from another system's files: mbox, Maildir, .eml.
    Import {
        #[command(subcommand)]
        action: import::ImportAction,
    },
    /// Write every mailbox of an account to an mbox file.
    #[command(group = clap::ArgGroup::new("format").required(true))]
    Export {
        address: String,
        /// The mbox file to write.
        #[arg(long, group = "format")]
        mbox: Option<PathBuf>,
        /// The Maildir folder to write (made if missing): INBOX and a `.Name` folder per
        /// mailbox, as Dovecot keeps them.
        #[arg(long, group = "format")]
        maildir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Clone, Copy)]
enum FirewallAction {
    /// Make the inbound rules ("Postroom SMTP 25", ...) match the listeners in postroom.toml.
    Sync,
}

#[derive(Subcommand)]
enum DomainAction {
    /// Add a domain and make its DKIM signing key.
    Add {
        name: String,
        /// The DKIM key to make: rsa (2048 bits, understood everywhere), ed25519 or none.
        #[arg(long, value_enum, default_value_t = DkimChoice::Rsa)]
        dkim: DkimChoice,
    },
    List,
    Remove {
        name: String,
    },
    /// Print the DNS records to publish: MX, A, SPF, DKIM, DMARC.
    Dns {
        name: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DkimChoice {
    Rsa,
    Ed25519,
    None,
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account; the password is read as one line from standard input.
    Add {
        address: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    List,
    /// Remove an account and all its mail.
    Remove {
        address: String,
    },
    /// Set a new password, read as one line from standard input.
    Passwd {
        address: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Show the account's storage use, or set its quota: a size such as 500M or 2G
    /// (K, M, G are powers of 1024), or `none` for no limit.
    Quota {
        address: String,
        size: Option<String>,
    },
}

#[derive(Subcommand)]
enum AliasAction {
    /// ADDRESS (or @domain for a catch-all) delivers to every TARGET: accounts, other aliases
    /// or outside addresses.
    Add {
        address: String,
        #[arg(required = true)]
        targets: Vec<String>,
    },
    List,
    Remove {
        address: String,
    },
}

fn main() -> ExitCode {
    // Everything this process creates (the database, its WAL, keys, postroom.toml, logs) is
    // for its owner only: mail and secrets are not for other local users.
    engine::files::restrict_new_files();
    let cli = Cli::parse();
    match cli.command {
        Command::Service { action } => return service::main(cli.data_dir, action),
        Command::Firewall {
            action: FirewallAction::Sync,
        } => return service::firewall_sync(cli.data_dir),
        _ => {}
    }
    let data_dir = match cli.data_dir.clone().or_else(engine::default_data_dir) {
        Some(dir) => dir,
        None => return fail("cannot find a data directory; pass --data-dir DIR"),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve {
                stop_on_stdin_close,
            } => serve::run(&data_dir, stop_on_stdin_close).await,
            Command::Admin { action } => admin::run(&data_dir, action),
            Command::Backup { action } => backup::run(&data_dir, action),
            Command::Restore { archive } => backup::restore(&data_dir, &archive),
            Command::Doctor { lang } => doctor::run(&data_dir, &lang).await,
            Command::Service { .. } | Command::Firewall { .. } => Ok(()),
            other => directory::run(&data_dir, other).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("postroom: {message}");
    ExitCode::FAILURE
}
