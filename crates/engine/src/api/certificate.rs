//! The server certificate: what it says, and importing a new one (checked, written to
//! `DATA_DIR/tls/`, presented by every listener from the next handshake on).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiError, ApiResult};
use crate::EngineHandle;

/// `GET /api/certificate`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CertificateDto {
    /// The subject, e.g. `CN=mail.example.com`.
    pub subject: String,
    pub issuer: String,
    /// The host names it is valid for.
    pub names: Vec<String>,
    /// Unix seconds.
    pub not_after: i64,
    /// Issued by itself: mail clients warn unless told to trust it.
    pub self_signed: bool,
}

impl From<net::CertInfo> for CertificateDto {
    fn from(info: net::CertInfo) -> CertificateDto {
        CertificateDto {
            subject: info.subject,
            issuer: info.issuer,
            names: info.names,
            not_after: info.not_after,
            self_signed: info.self_signed,
        }
    }
}

/// `PUT /api/certificate`: PEM text of the chain (end-entity first) and its private key.
#[derive(Debug, Clone, Deserialize)]
pub struct CertificateImport {
    pub cert_pem: String,
    pub key_pem: String,
}

impl EngineHandle {
    pub async fn certificate(&self) -> ApiResult<CertificateDto> {
        let info = self
            .shared
            .runtime
            .cert
            .info()
            .map_err(ApiError::internal)?;
        Ok(info.into())
    }

    /// Checks the pair (PEM, key matching the certificate), writes it to `DATA_DIR/tls/`
    /// and presents it at once. `field` errors name `cert_pem` or `key_pem`.
    pub async fn import_certificate(&self, import: CertificateImport) -> ApiResult<CertificateDto> {
        self.install_certificate(Some(&import), "").await
    }

    /// Installs `import`, or a new self-signed certificate for the hostname when `None`.
    /// `prefix` goes before the field names of errors (`certificate.` in the wizard).
    pub(crate) async fn install_certificate(
        &self,
        import: Option<&CertificateImport>,
        prefix: &str,
    ) -> ApiResult<CertificateDto> {
        let dir = self.data_dir().to_path_buf();
        let cert = self.shared.runtime.cert.clone();
        let hostname = self.config().hostname.clone();
        let import = import.cloned();
        let prefix = prefix.to_string();
        // Key generation and file writes: off the reactor.
        let info = tokio::task::spawn_blocking(move || match import {
            Some(pair) => net::install_certificate(&dir, &cert, &pair.cert_pem, &pair.key_pem)
                .map_err(|e| match e {
                    net::PairError::Cert(m) => ApiError::invalid(&format!("{prefix}cert_pem"), m),
                    net::PairError::Key(m) => ApiError::invalid(&format!("{prefix}key_pem"), m),
                }),
            None => net::install_self_signed(&dir, &cert, &hostname)
                .map_err(|e| ApiError::internal(e.to_string())),
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
        // Configured files would win at the next start: the data directory's pair is used.
        if self.config().tls.cert.is_some() {
            self.save_settings(&json!({ "tls": { "cert": null, "key": null } }))
                .await?;
        }
        tracing::info!(names = ?info.names, "new certificate in use");
        Ok(info.into())
    }
}
