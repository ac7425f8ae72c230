//! One entry of an array of tables in `postroom.toml` (`[[etrn]]`, `[[collect]]`) added,
//! replaced or removed by position, for the endpoints that edit them one at a time. The
//! edit goes through the settings path (`settings.rs`: comments kept, the whole file
//! validated before it is written) and is applied live; a replaced entry sent with
//! `password = "********"` keeps the stored password of the entry at that position only if
//! it still connects to the same server (`secrets.rs`); a validation error about the entry
//! names its field relative to it (`host`, `domains[0]`, `password`), as the entry's form
//! has it.

use serde_json::{Value as Json, json};

use super::settings::{Settings, to_json_with_secrets};
use super::{ApiError, ApiResult};
use crate::{Config, EngineHandle};

/// The arrays of tables the panel edits one entry at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryList {
    /// `[[collect]]`: outside mailboxes fetched on a schedule; an enabled job runs at once.
    Collect,
    /// `[[etrn]]`: backup MX hosts asked for our mail; an added or edited entry runs at once.
    Etrn,
}

impl EntryList {
    /// The key of the array in `postroom.toml`.
    pub fn key(self) -> &'static str {
        match self {
            EntryList::Collect => "collect",
            EntryList::Etrn => "etrn",
        }
    }

    /// What one entry is called in errors.
    pub fn what(self) -> &'static str {
        match self {
            EntryList::Collect => super::collect::WHAT,
            EntryList::Etrn => super::etrn::WHAT,
        }
    }
}

/// "Run now": the status of entry `index` in `statuses` once `started` says it runs; an
/// entry that is not there is not found.
pub(super) fn ran<T>(
    list: EntryList,
    index: usize,
    started: bool,
    statuses: Vec<T>,
) -> ApiResult<T> {
    let status = statuses.into_iter().nth(index).filter(|_| started);
    status.ok_or_else(|| ApiError::not_found(format!("there is no {} {index}", list.what())))
}

/// What to do with the entry at a position.
pub(crate) enum EntryEdit {
    Add(Json),
    Replace(usize, Json),
    Remove(usize),
}

impl EngineHandle {
    /// `POST /api/collect`, `POST /api/etrn`: adds an entry (the keys of its table, as in
    /// `postroom.toml`).
    pub async fn entry_add(&self, list: EntryList, entry: Json) -> ApiResult<Settings> {
        self.edit_table_entry(list.key(), list.what(), EntryEdit::Add(entry))
            .await
    }

    /// `PUT /api/{collect,etrn}/{index}`: replaces entry `index` (`password = "********"`
    /// keeps the stored one where it still goes to the same server).
    pub async fn entry_change(
        &self,
        list: EntryList,
        index: usize,
        entry: Json,
    ) -> ApiResult<Settings> {
        self.edit_table_entry(list.key(), list.what(), EntryEdit::Replace(index, entry))
            .await
    }

    /// `DELETE /api/{collect,etrn}/{index}`: the entry stops (a collection run in progress
    /// is dropped between commits).
    pub async fn entry_remove(&self, list: EntryList, index: usize) -> ApiResult<Settings> {
        self.edit_table_entry(list.key(), list.what(), EntryEdit::Remove(index))
            .await
    }

    /// Applies `edit` to the array of tables `key` (a top-level key such as `etrn`); `what`
    /// names an entry in errors ("ETRN entry").
    pub(crate) async fn edit_table_entry(
        &self,
        key: &str,
        what: &str,
        edit: EntryEdit,
    ) -> ApiResult<Settings> {
        // With the stored secrets: every other entry goes back as it is in the file.
        let path = crate::config_path(self.data_dir());
        let stored = Config::load(&path).map_err(|e| ApiError::internal(e.to_string()))?;
        let mut list = to_json_with_secrets(&stored)?
            .get(key)
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let exists = |index: usize| {
            if index < list.len() {
                Ok(index)
            } else {
                Err(ApiError::not_found(format!("there is no {what} {index}")))
            }
        };
        let object = |entry: Json| match entry {
            Json::Object(_) => Ok(entry),
            _ => Err(ApiError::invalid(
                "",
                format!("send the {what} as a JSON object"),
            )),
        };
        let at = match edit {
            EntryEdit::Add(entry) => {
                list.push(object(entry)?);
                list.len() - 1
            }
            EntryEdit::Replace(index, entry) => {
                let index = exists(index)?;
                // `********` (as `GET /api/settings` shows it) is resolved by the settings
                // edit: this entry's stored password, if it still goes to the same server.
                list[index] = object(entry)?;
                index
            }
            EntryEdit::Remove(index) => {
                let index = exists(index)?;
                list.remove(index);
                index
            }
        };
        let value = if list.is_empty() {
            Json::Null
        } else {
            Json::Array(list)
        };
        self.update_settings(json!({ key: value }))
            .await
            .map_err(|e| relative_to(e, &format!("{key}[{at}].")))
    }
}

/// An error whose field is inside `prefix` (`etrn[2].`) names it relative to the entry.
fn relative_to(mut e: ApiError, prefix: &str) -> ApiError {
    if let Some(inner) = e.field.as_deref().and_then(|f| f.strip_prefix(prefix)) {
        e.field = Some(inner.to_string());
    }
    e
}

#[cfg(test)]
mod tests {
    use super::{ApiError, relative_to};

    #[test]
    fn a_field_of_the_entry_is_named_relative_to_it() {
        let e = relative_to(ApiError::invalid("etrn[2].domains[0]", "bad"), "etrn[2].");
        assert_eq!(e.field.as_deref(), Some("domains[0]"));
        // Another entry's problem keeps its full name.
        let e = relative_to(ApiError::invalid("etrn[0].host", "bad"), "etrn[2].");
        assert_eq!(e.field.as_deref(), Some("etrn[0].host"));
    }
}
