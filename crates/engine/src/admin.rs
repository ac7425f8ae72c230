//! Administration (domains and their DKIM keys and DNS records, accounts, aliases, the
//! outbound queue, export) for the CLI. It opens the same
//! database as a running server: SQLite in WAL mode lets both write, and the server reads
//! every lookup from the database, so changes take effect at once.

use std::path::Path;

pub use store::{Account, Alias, Domain, Store, StoreError, check_password};

use crate::datadir::database_path;

/// Opens the store of a data directory (creating it on first use).
pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
    std::fs::create_dir_all(data_dir)?;
    Store::open(&database_path(data_dir))
}

pub use queue::dkim::KeyKind as DkimKind;
pub use store::{QueueAttempt, QueueEntry, QueueState};

/// Adds a domain, then makes its DKIM signing key (unless `dkim` is `None`). Key generation
/// (RSA takes a moment) runs on a blocking thread.
pub async fn add_domain(
    store: &Store,
    name: &str,
    dkim: Option<DkimKind>,
) -> Result<(), StoreError> {
    store.add_domain(name).await?;
    let Some(kind) = dkim else {
        return Ok(());
    };
    let domain = name.trim().to_ascii_lowercase();
    let key = tokio::task::spawn_blocking(move || queue::dkim::generate(&domain, kind))
        .await
        .map_err(|_| StoreError::Invalid("making the DKIM key failed".into()))?
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    store.set_dkim_key(key).await
}

/// One DNS record to publish, in zone-file terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    /// Fully qualified, with the final dot.
    pub name: String,
    /// `MX`, `A`, `TXT`.
    pub kind: &'static str,
    /// The record data as a zone file has it (TXT data quoted, split in 255-octet strings).
    pub value: String,
    /// What to know about it.
    pub note: Option<String>,
}

/// The records a domain needs for mail to arrive and for its outgoing mail to be trusted:
/// MX, the mail host's A record, SPF, DKIM and DMARC.
pub async fn dns_records(
    data_dir: &Path,
    store: &Store,
    name: &str,
) -> Result<Vec<DnsRecord>, StoreError> {
    let domain = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if !store.is_local_domain(&domain).await? {
        return Err(StoreError::NotFound(format!(
            "unknown domain {domain}; add it first with `postroom domain add {domain}`"
        )));
    }
    let config_file = crate::config_path(data_dir);
    let hostname = if config_file.exists() {
        crate::Config::load(&config_file)
            .map(|c| c.hostname)
            .map_err(|e| StoreError::Invalid(e.to_string()))?
    } else {
        config::system_hostname()
    };
    let mut records = vec![
        DnsRecord {
            name: format!("{domain}."),
            kind: "MX",
            value: format!("10 {hostname}."),
            note: Some("mail for the domain goes to this server".into()),
        },
        DnsRecord {
            name: format!("{hostname}."),
            kind: "A",
            value: "<this server's public IPv4 address>".into(),
            note: Some(
                "the address the Internet reaches port 25 on (on a dynamic IP, keep it updated \
                 with dynamic DNS); its reverse DNS (PTR) should name the host too"
                    .into(),
            ),
        },
        DnsRecord {
            name: format!("{domain}."),
            kind: "TXT",
            value: quoted("v=spf1 mx -all"),
            note: Some(
                "SPF: only this server sends for the domain; if mail leaves through your ISP's \
                 relay ([[route]]), add the include: the ISP documents"
                    .into(),
            ),
        },
    ];
    match store.dkim_key(&domain).await? {
        Some(key) => {
            let (name, value) = queue::dkim::dns_record(&key);
            records.push(DnsRecord {
                name: format!("{name}."),
                kind: "TXT",
                value: quoted(&value),
                note: Some(format!("DKIM public key ({})", key.algorithm)),
            });
        }
        None => records.push(DnsRecord {
            name: format!("{}._domainkey.{domain}.", queue::dkim::SELECTOR),
            kind: "TXT",
            value: "<none>".into(),
            note: Some("the domain has no DKIM key, so its mail goes out unsigned".into()),
        }),
    }
    records.push(DnsRecord {
        name: format!("_dmarc.{domain}."),
        kind: "TXT",
        value: quoted(&format!(
            "v=DMARC1; p=quarantine; rua=mailto:postmaster@{domain}"
        )),
        note: Some("DMARC: receivers quarantine mail that fails SPF and DKIM".into()),
    });
    Ok(records)
}

/// TXT data as quoted strings of at most 255 octets each (RFC 1035 §3.3.14).
fn quoted(text: &str) -> String {
    text.as_bytes()
        .chunks(255)
        .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
        .collect::<Vec<_>>()
        .join(" ")
}
