//! The server certificate while the server runs: one [`LiveCert`] that every TLS config
//! resolves through, so a certificate imported or renewed applies to every listener at once
//! (new handshakes; running sessions keep theirs). Also what a person wants to know about a
//! certificate ([`CertInfo`]) and checking a PEM pair before it replaces the current one.

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::NetError;
use crate::tls::{generate, pem_error, write_file};

/// The certificate every server TLS config presents; [`LiveCert::replace`] swaps it.
pub struct LiveCert {
    current: ArcSwap<CertifiedKey>,
}

impl std::fmt::Debug for LiveCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCert").finish_non_exhaustive()
    }
}

impl ResolvesServerCert for LiveCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

impl LiveCert {
    pub(crate) fn new(key: CertifiedKey) -> LiveCert {
        LiveCert {
            current: ArcSwap::from_pointee(key),
        }
    }

    /// Presents `key` from the next handshake on.
    pub fn replace(&self, key: CertifiedKey) {
        self.current.store(Arc::new(key));
    }

    /// The end-entity certificate presented now.
    pub fn info(&self) -> Result<CertInfo, String> {
        let key = self.current.load();
        let der = key.cert.first().ok_or("no certificate is loaded")?;
        CertInfo::of(der)
    }
}

/// Why a PEM pair cannot be used; the variant says which input is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("{0}")]
    Cert(String),
    #[error("{0}")]
    Key(String),
}

/// A certificate chain and its private key from PEM text, checked to belong together.
pub fn certified_key(cert_pem: &str, key_pem: &str) -> Result<CertifiedKey, PairError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PairError::Cert(format!("the certificate is {}", pem_error(e))))?;
    let Some(first) = certs.first() else {
        return Err(PairError::Cert(
            "no certificate found (expected -----BEGIN CERTIFICATE-----)".into(),
        ));
    };
    CertInfo::of(first).map_err(PairError::Cert)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| {
        PairError::Key(match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no private key found (expected -----BEGIN PRIVATE KEY-----)".to_string()
            }
            e => format!("the private key is {}", pem_error(e)),
        })
    })?;
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| PairError::Key(format!("the private key cannot be used: {e}")))?;
    let certified = CertifiedKey::new(certs, signing);
    certified
        .keys_match()
        .map_err(|_| PairError::Key("the private key does not belong to the certificate".into()))?;
    Ok(certified)
}

/// Checks a PEM pair, writes it to `data_dir/tls/` (atomically, the key private) and
/// presents it on `live`. Returns what the certificate says.
pub fn install(
    data_dir: &Path,
    live: &LiveCert,
    cert_pem: &str,
    key_pem: &str,
) -> Result<CertInfo, PairError> {
    let key = certified_key(cert_pem, key_pem)?;
    let info = key
        .cert
        .first()
        .map(CertInfo::of)
        .transpose()
        .map_err(PairError::Cert)?
        .ok_or_else(|| PairError::Cert("no certificate found".into()))?;
    write_pair(data_dir, cert_pem, key_pem).map_err(|e| PairError::Cert(e.to_string()))?;
    live.replace(key);
    Ok(info)
}

/// Makes a new self-signed certificate for `hostname` in `data_dir/tls/` (replacing what is
/// there) and presents it on `live`.
pub fn install_self_signed(
    data_dir: &Path,
    live: &LiveCert,
    hostname: &str,
) -> Result<CertInfo, NetError> {
    let (cert, key) = generate(hostname)?;
    install(data_dir, live, &cert, &key).map_err(|e| NetError::Tls(e.to_string()))
}

fn write_pair(data_dir: &Path, cert_pem: &str, key_pem: &str) -> Result<(), NetError> {
    let dir = data_dir.join("tls");
    std::fs::create_dir_all(&dir)
        .map_err(|e| NetError::Tls(format!("cannot create {}: {e}", dir.display())))?;
    write_file(&dir.join("key.pem"), key_pem.as_bytes())?;
    write_file(&dir.join("cert.pem"), cert_pem.as_bytes())
}

/// What the control panel shows about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject's distinguished name, e.g. `CN=mail.example.com`.
    pub subject: String,
    pub issuer: String,
    /// The host names it is valid for (subjectAltName DNS names, else the common name).
    pub names: Vec<String>,
    /// Unix seconds after which it is no longer valid.
    pub not_after: i64,
    /// Issued by itself: mail clients warn about it unless told to trust it.
    pub self_signed: bool,
}

impl CertInfo {
    /// Reads a DER certificate (RFC 5280 §4.1).
    pub fn of(der: &CertificateDer<'_>) -> Result<CertInfo, String> {
        use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
        let (_, cert) = X509Certificate::from_der(der.as_ref())
            .map_err(|e| format!("the certificate cannot be read: {e}"))?;
        let mut names: Vec<String> = match cert.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some(dns.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        if names.is_empty() {
            names = cert
                .subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok().map(str::to_string))
                .collect();
        }
        Ok(CertInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            names,
            not_after: cert.validity().not_after.timestamp(),
            self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_reads_back_its_names() {
        let (cert, key) = generate("mail.example.test").expect("generated");
        let key = certified_key(&cert, &key).expect("pair");
        let info = CertInfo::of(&key.cert[0]).expect("info");
        assert_eq!(info.names, ["mail.example.test", "localhost"]);
        assert_eq!(info.subject, "CN=mail.example.test");
        assert!(info.self_signed);
        assert!(info.not_after > 1_700_000_000);
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_as_the_keys_fault() {
        let (cert, _) = generate("a.test").expect("generated");
        let (_, other) = generate("b.test").expect("generated");
        assert_eq!(
            certified_key(&cert, &other).err(),
            Some(PairError::Key(
                "the private key does not belong to the certificate".into()
            ))
        );
        assert!(matches!(
            certified_key("not pem", &other),
            Err(PairError::Cert(_))
        ));
        assert!(matches!(
            certified_key(&cert, "not pem"),
            Err(PairError::Key(_))
        ));
    }

    #[test]
    fn install_writes_the_pair_and_presents_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, key) = generate("one.test").expect("generated");
        let live = LiveCert::new(certified_key(&cert, &key).expect("pair"));
        let info = install_self_signed(dir.path(), &live, "two.test").expect("installed");
        assert_eq!(info.names[0], "two.test");
        assert_eq!(live.info().expect("info").names[0], "two.test");
        let written = std::fs::read_to_string(dir.path().join("tls/cert.pem")).expect("cert");
        assert!(written.starts_with("-----BEGIN CERTIFICATE-----"));
    }
}
