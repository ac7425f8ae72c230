//! Domains: list, add (with a DKIM key), remove, and the DNS records to publish. The records
//! are computed here for both `GET /api/domains/{name}/dns` and `postroom domain dns`.

use std::path::Path;

use queue::dkim::KeyKind;
use serde::{Deserialize, Serialize};
use store::{Store, StoreError};

use super::{ApiError, ApiResult};
use crate::admin::AdminContext;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DomainDto {
    pub name: String,
}

/// `POST /api/domains`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewDomain {
    pub name: String,
    /// `rsa` (the default: 2048 bits, understood everywhere), `ed25519` or `none`.
    #[serde(default)]
    pub dkim: Option<String>,
}

impl AdminContext {
    pub async fn domains(&self) -> ApiResult<Vec<DomainDto>> {
        let domains = self.store().list_domains().await?;
        Ok(domains
            .into_iter()
            .map(|d| DomainDto { name: d.name })
            .collect())
    }

    pub async fn add_domain(&self, new: NewDomain) -> ApiResult<DomainDto> {
        let kind = match new.dkim.as_deref().unwrap_or("rsa") {
            "rsa" => Some(KeyKind::Rsa),
            "ed25519" => Some(KeyKind::Ed25519),
            "none" => None,
            other => {
                return Err(ApiError::invalid(
                    "dkim",
                    format!("unknown DKIM key kind {other}; one of rsa, ed25519, none"),
                ));
            }
        };
        add_domain(self.store(), &new.name, kind)
            .await
            .map_err(|e| ApiError::from(e).on_field("name"))?;
        Ok(DomainDto {
            name: new.name.trim().to_ascii_lowercase(),
        })
    }

    pub async fn remove_domain(&self, name: &str) -> ApiResult<()> {
        Ok(self.store().remove_domain(name).await?)
    }

    pub async fn domain_dns(&self, name: &str) -> ApiResult<Vec<DnsRecord>> {
        Ok(dns_records(&self.data_dir, self.store(), name).await?)
    }
}

/// Adds a domain, then makes its DKIM signing key (unless `dkim` is `None`). Key generation
/// (RSA takes a moment) runs on a blocking thread.
async fn add_domain(store: &Store, name: &str, dkim: Option<KeyKind>) -> Result<(), StoreError> {
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
async fn dns_records(
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
