//! Accounts: list, add, remove, change the password, disable and enable.

use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult};
use crate::EngineHandle;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountDto {
    pub address: String,
    pub disabled: bool,
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
}

impl EngineHandle {
    pub async fn accounts(&self) -> ApiResult<Vec<AccountDto>> {
        let accounts = self.store().list_accounts().await?;
        Ok(accounts
            .into_iter()
            .map(|a| AccountDto {
                address: a.address,
                disabled: a.disabled,
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
        })
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
        Ok(())
    }
}
