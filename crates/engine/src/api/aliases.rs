//! Aliases, lists, forwards and catch-alls (`@domain`).

use serde::{Deserialize, Serialize};

use super::{ApiError, ApiResult};
use crate::admin::AdminContext;

/// An alias and the addresses it delivers to; also the body of `POST /api/aliases`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AliasDto {
    pub address: String,
    pub targets: Vec<String>,
}

impl AdminContext {
    pub async fn aliases(&self) -> ApiResult<Vec<AliasDto>> {
        let aliases = self.store().list_aliases().await?;
        Ok(aliases
            .into_iter()
            .map(|a| AliasDto {
                address: a.address,
                targets: a.targets,
            })
            .collect())
    }

    pub async fn add_alias(&self, alias: AliasDto) -> ApiResult<()> {
        if alias.targets.is_empty() {
            return Err(ApiError::invalid("targets", "give at least one target"));
        }
        self.store()
            .add_alias(&alias.address, &alias.targets)
            .await
            .map_err(|e| ApiError::from(e).on_field("address"))
    }

    pub async fn remove_alias(&self, address: &str) -> ApiResult<()> {
        Ok(self.store().remove_alias(address).await?)
    }
}
