//! Administration (domains and their DKIM keys and DNS records, accounts, aliases, the
//! outbound queue, export) for the CLI. It opens the same
//! database as a running server: SQLite in WAL mode lets both write, and the server reads
//! every lookup from the database, so changes take effect at once.

use std::path::Path;

pub use store::{Account, Alias, Domain, Store, StoreError, check_password};

use crate::datadir::database_path;

/// Opens the store of a data directory (creating it on first use, private).
pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
    crate::datadir::prepare(data_dir)?;
    Store::open(&database_path(data_dir))
}

pub use queue::dkim::KeyKind as DkimKind;
pub use store::{QueueAttempt, QueueEntry, QueueState};

pub use crate::api::domains::{DnsRecord, add_domain, dns_records};
