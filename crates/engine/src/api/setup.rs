//! The first-run wizard: the server's hostname, the first domain and account, the control
//! panel's password and the certificate, in one request that checks every input before it
//! changes anything. Also the admin password it sets (argon2id, in `DATA_DIR/admin-password`).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::accounts::NewAccount;
use super::certificate::CertificateImport;
use super::domains::NewDomain;
use super::{ApiError, ApiResult, codes};
use crate::{EngineHandle, config_path};

/// The admin password's argon2id hash (PHC string), readable by its owner only.
const PASSWORD_FILE: &str = "admin-password";
/// Written when the wizard has run.
const DONE_FILE: &str = "setup-done";

/// `GET /api/setup`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SetupState {
    /// No domain yet and the wizard has not run: show it.
    pub needed: bool,
    /// The hostname in `postroom.toml` now (a suggestion for the wizard).
    pub hostname: String,
}

/// `POST /api/setup`.
#[derive(Debug, Clone, Deserialize)]
pub struct SetupRequest {
    pub hostname: String,
    pub domain: String,
    pub account: NewAccount,
    /// Lets the web control panel be opened with a password instead of the token.
    #[serde(default)]
    pub admin_password: Option<String>,
    pub certificate: CertificateChoice,
}

/// The wizard's certificate: a new self-signed one for the hostname, or an imported pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CertificateChoice {
    SelfSigned,
    Import { cert_pem: String, key_pem: String },
}

/// The answer to `POST /api/setup`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SetupDone {
    pub done: bool,
}

impl EngineHandle {
    pub async fn setup_state(&self) -> ApiResult<SetupState> {
        let no_domain = self.store().list_domains().await?.is_empty();
        Ok(SetupState {
            needed: no_domain && !self.data_dir().join(DONE_FILE).exists(),
            hostname: self.config().hostname.clone(),
        })
    }

    /// Runs the wizard. Every input is checked first; an `invalid` error names its field
    /// (`hostname`, `domain`, `account.address`, `account.password`, `admin_password`,
    /// `certificate.cert_pem`, `certificate.key_pem`) and nothing has changed.
    pub async fn setup(&self, request: SetupRequest) -> ApiResult<SetupDone> {
        if !self.setup_state().await?.needed {
            return Err(ApiError::new(
                codes::ALREADY_EXISTS,
                "the server is set up already; change it in the control panel",
            ));
        }
        let hostname = request.hostname.trim().to_ascii_lowercase();
        let domain = request.domain.trim().to_ascii_lowercase();
        let address = request.account.address.trim().to_ascii_lowercase();
        // The hostname through the same validation as postroom.toml, without saving.
        let path = config_path(self.data_dir());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ApiError::internal(format!("cannot read {}: {e}", path.display())))?;
        super::settings::edit(&text, &json!({ "hostname": hostname }), &path)
            .map_err(|e| ApiError::invalid("hostname", e.message))?;
        if domain.is_empty() {
            return Err(ApiError::invalid("domain", "enter the mail domain"));
        }
        match address.rsplit_once('@') {
            Some((local, at)) if !local.is_empty() && at == domain => {}
            _ => {
                return Err(ApiError::invalid(
                    "account.address",
                    format!("the address must end in @{domain}"),
                ));
            }
        }
        store::check_password(&address, &request.account.password)
            .map_err(|e| ApiError::invalid("account.password", e.to_string()))?;
        if let Some(password) = &request.admin_password {
            store::check_password("admin", password)
                .map_err(|e| ApiError::invalid("admin_password", e.to_string()))?;
        }
        let import = match &request.certificate {
            CertificateChoice::SelfSigned => None,
            CertificateChoice::Import { cert_pem, key_pem } => {
                net::certified_key(cert_pem, key_pem).map_err(|e| match e {
                    net::PairError::Cert(m) => ApiError::invalid("certificate.cert_pem", m),
                    net::PairError::Key(m) => ApiError::invalid("certificate.key_pem", m),
                })?;
                Some(CertificateImport {
                    cert_pem: cert_pem.clone(),
                    key_pem: key_pem.clone(),
                })
            }
        };
        // The domain (with its DKIM key) and the account: the store has the last word on
        // names.
        self.admin()
            .add_domain(NewDomain {
                name: domain.clone(),
                dkim: Some("rsa".to_string()),
            })
            .await
            .map_err(|e| rename_field(e, "domain"))?;
        let account = NewAccount {
            address,
            password: request.account.password.clone(),
        };
        if let Err(e) = self.admin().add_account(account).await {
            let _ = self.admin().remove_domain(&domain).await;
            return Err(rename_field(e, "account.address"));
        }
        self.save_settings(&json!({ "hostname": hostname })).await?;
        if let Some(password) = &request.admin_password {
            set_admin_password(self.data_dir(), password).await?;
        }
        self.install_certificate(import.as_ref(), "certificate.")
            .await?;
        files::write_atomic(&self.data_dir().join(DONE_FILE), b"done\n")
            .map_err(|e| ApiError::internal(format!("cannot record the setup: {e}")))?;
        tracing::info!(hostname, domain, "first-run setup done");
        Ok(SetupDone { done: true })
    }
}

/// The wizard's name for the input a store error is about.
fn rename_field(mut e: ApiError, field: &str) -> ApiError {
    if e.code == codes::INVALID || e.code == codes::ALREADY_EXISTS {
        let password = e.field.as_deref() == Some("password");
        e.field = Some(if password { "account.password" } else { field }.to_string());
    }
    e
}

/// Stores the admin password's argon2id hash in `DATA_DIR/admin-password`.
async fn set_admin_password(data_dir: &Path, password: &str) -> ApiResult<()> {
    let hash = store::hash_password(password)
        .await
        .map_err(|e| ApiError::internal(format!("hashing the password failed: {e}")))?;
    crate::http::write_private(&data_dir.join(PASSWORD_FILE), &format!("{hash}\n"))
        .map_err(|e| ApiError::internal(format!("cannot save the admin password: {e}")))
}

/// Whether `password` is the admin password (false when none is set).
pub(crate) async fn admin_password_matches(data_dir: &Path, password: &str) -> bool {
    let Ok(stored) = std::fs::read_to_string(data_dir.join(PASSWORD_FILE)) else {
        return false;
    };
    // On the mail logins' hashing pool: a flood of sign-ins cannot start an argon2 run
    // (19 MiB) per request.
    store::verify_password(stored.trim(), password)
        .await
        .unwrap_or(false)
}
