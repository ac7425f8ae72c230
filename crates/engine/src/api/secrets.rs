//! Stored secrets (relay, dynamic DNS and collection passwords) through a settings edit.
//! `GET /api/settings` shows each as `********`; an entry sent back with `********` keeps its
//! stored secret only if the secret would go where it went before: the same server, port,
//! user, endpoint, provider, TLS mode and CA. Otherwise the edit is refused with
//! `password_again` naming the entry's password field: a changed relay host (or DDNS
//! endpoint, or collection host) must not receive the old password without the admin typing
//! it again.

use serde_json::Value as Json;
use toml_edit::{DocumentMut, Item};

use super::settings::{REDACTED, to_json_with_secrets};
use super::{ApiError, ApiResult, codes};
use crate::Config;

/// The fields that say where, and how, a secret is sent.
const CONNECTION: &[&str] = &[
    "relay", "host", "port", "tls", "ca", "user", "username", "endpoint", "provider", "zone",
    "protocol",
];

/// Puts the stored secret into each entry of `doc` that says `********`. `merged` is `doc`
/// as a configuration (effective values: defaults filled in), `old` the configuration before
/// the edit. Returns whether `doc` changed.
pub(super) fn restore(
    doc: &mut DocumentMut,
    merged: &Config,
    old: Option<&Config>,
) -> ApiResult<bool> {
    let new = to_json_with_secrets(merged)?;
    let old = old.map(to_json_with_secrets).transpose()?;
    let mut changed = false;
    // The arrays of tables whose items hold a secret `password` (declared in
    // `config::schema`), by path: the same in the JSON and in the file.
    let lists = config::schema::secrets().filter(|(_, key)| *key == "password");
    for (tables, _) in lists {
        let path: Vec<&str> = tables.split('.').collect();
        let path = path.as_slice();
        let old_entries = old.as_ref().map(|o| entries(o, path)).unwrap_or_default();
        for (i, entry) in entries(&new, path).iter().enumerate() {
            if entry.get("password").and_then(Json::as_str) != Some(REDACTED) {
                continue;
            }
            let field = format!("{}[{i}].password", path.join("."));
            let again = || ApiError {
                field: Some(field.clone()),
                ..ApiError::new(
                    codes::PASSWORD_AGAIN,
                    "the server this password is sent to has changed: enter the password again",
                )
            };
            let stored = stored_for(entry, i, &old_entries).ok_or_else(again)?;
            let table = table_at(doc, path, i).ok_or_else(again)?;
            table.insert("password", toml_edit::value(stored));
            changed = true;
        }
    }
    Ok(changed)
}

/// The entries of the array at `path`.
fn entries(json: &Json, path: &[&str]) -> Vec<Json> {
    path.iter()
        .try_fold(json, |j, key| j.get(key))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The stored secret for the new `entry` at `index`: of the old entry at the same place if
/// it connects the same way, else of an old entry equal in everything but the secret (moved
/// after an earlier one was removed), else of one that connects the same way.
fn stored_for(entry: &Json, index: usize, old: &[Json]) -> Option<String> {
    let connects_alike = |o: &&Json| CONNECTION.iter().all(|k| entry.get(k) == o.get(k));
    let same_but_secret = |o: &&Json| {
        let strip = |j: &Json| {
            let mut j = j.clone();
            j.as_object_mut().map(|m| m.remove("password"));
            j
        };
        strip(entry) == strip(o)
    };
    old.get(index)
        .filter(connects_alike)
        .or_else(|| old.iter().find(same_but_secret))
        .or_else(|| old.iter().find(connects_alike))
        .and_then(|o| o.get("password"))
        .and_then(Json::as_str)
        .map(str::to_string)
}

/// The table of entry `index` of the array of tables at `path` in the file.
fn table_at<'a>(
    doc: &'a mut DocumentMut,
    path: &[&str],
    index: usize,
) -> Option<&'a mut toml_edit::Table> {
    let (last, sections) = path.split_last()?;
    let mut table = doc.as_table_mut();
    for key in sections {
        table = table.get_mut(key).and_then(Item::as_table_mut)?;
    }
    table
        .get_mut(last)
        .and_then(Item::as_array_of_tables_mut)?
        .get_mut(index)
}
