//! Accounts: list (with storage quota and usage), add, remove, change the password, the
//! quota, disable and enable.

use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult};
use crate::admin::AdminContext;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountDto {
    pub address: String,
    pub disabled: bool,
    /// The storage limit in bytes; `null` is unlimited.
    pub quota_bytes: Option<u64>,
    /// The bytes of all its messages.
    pub used_bytes: u64,
}

/// `POST /api/accounts`.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAccount {
    pub address: String,
    pub password: String,
}

/// `PATCH /api/accounts/{address}`: what is given changes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountChange {
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
    /// Absent: unchanged; `null`: unlimited; a number: the limit in bytes.
    #[serde(default, deserialize_with = "present")]
    pub quota_bytes: Option<Option<u64>>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    Option::<u64>::deserialize(d).map(Some)
}

impl AdminContext {
    pub async fn accounts(&self) -> ApiResult<Vec<AccountDto>> {
        let accounts = self.store().list_accounts().await?;
        let quotas = self.store().quotas().await?;
        Ok(accounts
            .into_iter()
            .map(|a| {
                let quota = quotas.get(&a.id).copied().unwrap_or_default();
                AccountDto {
                    address: a.address,
                    disabled: a.disabled,
                    quota_bytes: quota.quota_bytes,
                    used_bytes: quota.used_bytes,
                }
            })
            .collect())
    }

    pub async fn add_account(&self, new: NewAccount) -> ApiResult<AccountDto> {
        // Which field the store's complaint is about: the password rules mention it.
        self.store()
            .add_account(&new.address, &new.password)
            .await
            .map_err(|e| {
                let field = if e.to_string().contains("password") {
                    "password"
                } else {
                    "address"
                };
                ApiError::from(e).on_field(field)
            })?;
        Ok(AccountDto {
            address: new.address.trim().to_ascii_lowercase(),
            disabled: false,
            quota_bytes: None,
            used_bytes: 0,
        })
    }

    /// One account with its storage quota and use.
    pub async fn account(&self, address: &str) -> ApiResult<AccountDto> {
        let quota = self.store().quota(address).await?;
        let address = address.trim().to_ascii_lowercase();
        let disabled = self
            .store()
            .list_accounts()
            .await?
            .into_iter()
            .any(|a| a.address == address && a.disabled);
        Ok(AccountDto {
            address,
            disabled,
            quota_bytes: quota.quota_bytes,
            used_bytes: quota.used_bytes,
        })
    }

    /// Writes every mailbox of an account to an mbox file on this computer (the CLI's
    /// `export`); the number of messages written.
    pub async fn export_mbox(&self, address: &str, file: &std::path::Path) -> ApiResult<usize> {
        Ok(self.store().export_mbox(address, file).await?)
    }

    /// Writes every mailbox of an account as a Maildir++ folder on this computer (the CLI's
    /// `export --maildir`); the number of messages written.
    pub async fn export_maildir(&self, address: &str, dir: &std::path::Path) -> ApiResult<usize> {
        let mut writer = backup::export::MaildirWriter::new(dir);
        Ok(self
            .store()
            .each_message(address, move |m| {
                writer.write(m.mailbox, m.uid, &m.flags, m.internal_date, m.message)
            })
            .await?)
    }

    pub async fn remove_account(&self, address: &str) -> ApiResult<()> {
        Ok(self.store().remove_account(address).await?)
    }

    pub async fn change_account(&self, address: &str, change: AccountChange) -> ApiResult<()> {
        if let Some(password) = &change.password {
            self.store()
                .set_password(address, password)
                .await
                .map_err(|e| ApiError::from(e).on_field("password"))?;
        }
        if let Some(disabled) = change.disabled {
            self.store().set_disabled(address, disabled).await?;
        }
        if let Some(quota) = change.quota_bytes {
            self.store()
                .set_quota(address, quota)
                .await
                .map_err(|e| ApiError::from(e).on_field("quota_bytes"))?;
        }
        Ok(())
    }
}
