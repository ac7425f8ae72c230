//! rustls configs: the server's from PEM files or from a self-signed certificate made with
//! rcgen on first start and kept in `data_dir/tls/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::{LiveCert, NetError};

/// How long a self-signed certificate is valid.
const SELF_SIGNED_VALIDITY: time::Duration = time::Duration::days(3650);

/// rustls server configuration: from `tls.cert`/`tls.key` if set, else the self-signed
/// certificate in `data_dir/tls/` (made on first start for `hostname`).
pub fn server_tls(
    data_dir: &Path,
    tls: &config::Tls,
    hostname: &str,
) -> Result<Arc<rustls::ServerConfig>, NetError> {
    Ok(server_tls_live(data_dir, tls, hostname)?.0)
}

/// Like [`server_tls`], with the [`LiveCert`] the config presents: replacing its certificate
/// applies to every acceptor made from the config.
pub fn server_tls_live(
    data_dir: &Path,
    tls: &config::Tls,
    hostname: &str,
) -> Result<(Arc<rustls::ServerConfig>, Arc<LiveCert>), NetError> {
    let live = Arc::new(LiveCert::new(load_certified_key(data_dir, tls, hostname)?));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| NetError::Tls(format!("TLS setup failed: {e}")))?
    .with_no_client_auth()
    .with_cert_resolver(live.clone());
    Ok((Arc::new(config), live))
}

/// The certificate and key of `tls` (or the self-signed pair in `data_dir/tls/`, made first
/// if missing), checked to belong together.
pub fn load_certified_key(
    data_dir: &Path,
    tls: &config::Tls,
    hostname: &str,
) -> Result<CertifiedKey, NetError> {
    let (cert_path, key_path) = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        (None, None) => self_signed(data_dir, hostname)?,
        _ => {
            return Err(NetError::Tls(
                "tls.cert and tls.key must be set together".into(),
            ));
        }
    };
    let certs = load_certs(&cert_path)?;
    let key = load_key(&key_path)?;
    CertifiedKey::from_der(certs, key, &rustls::crypto::ring::default_provider()).map_err(|e| {
        NetError::Tls(format!(
            "certificate {} and key {} cannot be used together: {e}",
            cert_path.display(),
            key_path.display()
        ))
    })
}

/// A rustls client configuration that trusts only the certificates in `cert_pem` (for
/// example the self-signed one in `data_dir/tls/cert.pem`): for tests and local tools.
pub fn client_tls_trusting(cert_pem: &Path) -> Result<Arc<rustls::ClientConfig>, NetError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in load_certs(cert_pem)? {
        roots.add(cert).map_err(|e| {
            NetError::Tls(format!(
                "certificate in {} cannot be trusted: {e}",
                cert_pem.display()
            ))
        })?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| NetError::Tls(format!("TLS setup failed: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, NetError> {
    let problem = |e: pem::Error| {
        NetError::Tls(format!(
            "cannot read certificate {}: {}",
            path.display(),
            pem_error(e)
        ))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(problem)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(problem)?;
    if certs.is_empty() {
        return Err(NetError::Tls(format!(
            "no certificate found in {}",
            path.display()
        )));
    }
    Ok(certs)
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, NetError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| match e {
        pem::Error::NoItemsFound => {
            NetError::Tls(format!("no private key found in {}", path.display()))
        }
        e => NetError::Tls(format!(
            "cannot read private key {}: {}",
            path.display(),
            pem_error(e)
        )),
    })
}

/// The I/O error's own text ("No such file or directory (os error 2)") rather than `Io(...)`.
pub(crate) fn pem_error(e: pem::Error) -> String {
    match e {
        pem::Error::Io(io) => io.to_string(),
        pem::Error::NoItemsFound => "no PEM data found".to_string(),
        other => format!("not valid PEM ({other:?})"),
    }
}

/// The paths of the self-signed certificate and key in `data_dir/tls/`, made first if either
/// is missing.
fn self_signed(data_dir: &Path, hostname: &str) -> Result<(PathBuf, PathBuf), NetError> {
    let dir = data_dir.join("tls");
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    if cert_path.exists() && key_path.exists() {
        return Ok((cert_path, key_path));
    }
    let (cert_pem, key_pem) = generate(hostname)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| NetError::Tls(format!("cannot create {}: {e}", dir.display())))?;
    write_file(&key_path, key_pem.as_bytes())?;
    write_file(&cert_path, cert_pem.as_bytes())?;
    tracing::info!(cert = %cert_path.display(), "made a self-signed certificate for {hostname}");
    Ok((cert_path, key_path))
}

/// A self-signed certificate for `hostname` and localhost, as (cert PEM, key PEM).
pub(crate) fn generate(hostname: &str) -> Result<(String, String), NetError> {
    let failed =
        |e: rcgen::Error| NetError::Tls(format!("cannot make a certificate for {hostname}: {e}"));
    let mut names = vec![hostname.to_string()];
    if hostname != "localhost" {
        names.push("localhost".to_string());
    }
    let mut params = rcgen::CertificateParams::new(names).map_err(failed)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, hostname);
    // A day of slack for clients whose clocks are behind.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + SELF_SIGNED_VALIDITY;
    let key = rcgen::KeyPair::generate().map_err(failed)?;
    let cert = params.self_signed(&key).map_err(failed)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Writes the whole file or nothing (a crash never leaves half a key), readable by the owner
/// only, and replaceable while a reader has it open on Windows.
pub(crate) fn write_file(path: &Path, contents: &[u8]) -> Result<(), NetError> {
    files::write_atomic(path, contents)
        .map_err(|e| NetError::Tls(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_certificate_is_made_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tls = config::Tls::default();
        server_tls(dir.path(), &tls, "mail.example.test").expect("first start");
        let cert = std::fs::read(dir.path().join("tls/cert.pem")).expect("cert written");
        let key = std::fs::read(dir.path().join("tls/key.pem")).expect("key written");
        server_tls(dir.path(), &tls, "mail.example.test").expect("second start");
        assert_eq!(
            std::fs::read(dir.path().join("tls/cert.pem")).expect("cert"),
            cert
        );
        assert_eq!(
            std::fs::read(dir.path().join("tls/key.pem")).expect("key"),
            key
        );
        assert!(!dir.path().join("tls/key.pem.tmp").exists());
    }

    #[cfg(unix)]
    #[test]
    fn self_signed_key_is_private_to_the_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        server_tls(dir.path(), &config::Tls::default(), "localhost").expect("made");
        let mode = std::fs::metadata(dir.path().join("tls/key.pem"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn configured_pem_files_are_loaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, key) = generate("mail.example.test").expect("generated");
        let tls = config::Tls {
            cert: Some(dir.path().join("full.pem")),
            key: Some(dir.path().join("priv.pem")),
        };
        std::fs::write(dir.path().join("full.pem"), cert).expect("write");
        std::fs::write(dir.path().join("priv.pem"), key).expect("write");
        server_tls(dir.path(), &tls, "ignored").expect("loaded");
        assert!(
            !dir.path().join("tls").exists(),
            "no self-signed certificate when files are configured"
        );
    }

    #[test]
    fn a_missing_certificate_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = dir.path().join("x.pem");
        let tls = config::Tls {
            cert: Some(cert.clone()),
            key: Some(dir.path().join("k.pem")),
        };
        let err = server_tls(dir.path(), &tls, "localhost")
            .expect_err("missing file")
            .to_string();
        assert!(
            err.starts_with(&format!(
                "cannot read certificate {}: No such file",
                cert.display()
            )),
            "{err}"
        );
    }

    #[test]
    fn a_key_file_without_a_key_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, _) = generate("localhost").expect("generated");
        let cert_path = dir.path().join("c.pem");
        std::fs::write(&cert_path, &cert).expect("write");
        let tls = config::Tls {
            cert: Some(cert_path.clone()),
            key: Some(cert_path.clone()),
        };
        let err = server_tls(dir.path(), &tls, "localhost")
            .expect_err("no key")
            .to_string();
        assert_eq!(
            err,
            format!("no private key found in {}", cert_path.display())
        );
    }

    #[test]
    fn a_certificate_with_the_wrong_key_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (cert, _) = generate("localhost").expect("generated");
        let (_, other_key) = generate("localhost").expect("generated");
        std::fs::write(dir.path().join("c.pem"), cert).expect("write");
        std::fs::write(dir.path().join("k.pem"), other_key).expect("write");
        let tls = config::Tls {
            cert: Some(dir.path().join("c.pem")),
            key: Some(dir.path().join("k.pem")),
        };
        let err = server_tls(dir.path(), &tls, "localhost")
            .expect_err("mismatch")
            .to_string();
        assert!(err.contains("cannot be used together"), "{err}");
    }
}
