//! Settings: `postroom.toml` as JSON, and edits that keep the file's comments and layout.
//!
//! `GET` returns every effective value (defaults included) as the annotated file has them;
//! relay passwords are replaced by `********`. `PUT` takes a partial JSON object of the same
//! shape: objects merge into sections, any other value replaces the key, `null` removes it.
//! The result is validated as a whole before it is written, then applied to the running
//! engine where it can be (see `crate::reload`); the answer lists which keys are in effect
//! now and which wait for a restart.

use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value as Json};
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{ApiError, ApiResult};
use crate::{Config, EngineHandle, config_path};

/// What relay and dynamic DNS passwords read as.
pub(crate) const REDACTED: &str = "********";

/// `GET /api/settings`, and the answer to `PUT`.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Every section and key with its current value.
    pub settings: Json,
    /// Whether some saved setting is not in effect until a restart.
    pub restart_needed: bool,
    /// `PUT`: the changed keys in effect now (e.g. `limits.max_message_size`).
    pub applied: Vec<String>,
    /// The changed keys that need a restart (since start, on `GET`).
    pub pending_restart: Vec<String>,
}

impl EngineHandle {
    pub async fn settings(&self) -> ApiResult<Settings> {
        let path = config_path(&self.shared.data_dir);
        let config = load(&path)?;
        let pending: Vec<String> = self.shared.pending_restart().iter().cloned().collect();
        Ok(Settings {
            restart_needed: !pending.is_empty() || config != *self.config(),
            settings: to_json(&config)?,
            applied: Vec::new(),
            pending_restart: pending,
        })
    }

    /// Applies `changes` to `postroom.toml` (nothing is written when the result is invalid),
    /// then to the running engine.
    pub async fn update_settings(&self, changes: Json) -> ApiResult<Settings> {
        let reloaded = self.save_settings(&changes).await?;
        let mut settings = self.settings().await?;
        settings.applied = reloaded.applied;
        settings.pending_restart = reloaded.pending_restart;
        Ok(settings)
    }

    /// Edits `postroom.toml` with `changes` and reloads it.
    pub(crate) async fn save_settings(&self, changes: &Json) -> ApiResult<crate::Reloaded> {
        let path = config_path(&self.shared.data_dir);
        {
            // Two edits at once would each start from the same file; one waits.
            let _one_at_a_time = self.shared.reload.lock().await;
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ApiError::internal(format!("cannot read {}: {e}", path.display())))?;
            let edited = edit(&text, changes, &path)?;
            // Whole or not at all, 0600, and on Windows while an editor has the file open.
            files::write_atomic(&path, edited.as_bytes())
                .map_err(|e| ApiError::internal(format!("cannot write {}: {e}", path.display())))?;
        }
        tracing::info!(path = %path.display(), "settings saved");
        self.reload().await
    }
}

fn load(path: &Path) -> ApiResult<Config> {
    Config::load(path).map_err(|e| ApiError::internal(e.to_string()))
}

/// The effective configuration as JSON, through the annotated file (the one place that
/// writes every key), with each key declared `secret` (`config::schema`) shown as
/// [`REDACTED`].
pub(crate) fn to_json(config: &Config) -> ApiResult<Json> {
    let mut json = to_json_with_secrets(config)?;
    for (tables, key) in config::schema::secrets() {
        let items = tables
            .split('.')
            .try_fold(&mut json, |j, part| j.get_mut(part))
            .and_then(Json::as_array_mut);
        for item in items.into_iter().flatten() {
            if let Some(secret) = item.get_mut(key) {
                *secret = Json::String(REDACTED.into());
            }
        }
    }
    Ok(json)
}

/// One declared key as the panel shows it (`GET /api/settings/schema`): its label, help,
/// kind, range and unit, so the panel does not repeat them.
#[derive(Debug, Clone, Serialize)]
pub struct SettingSchema {
    /// `limits.max_errors`; `route.password` for a key of each `[[route]]` item.
    pub path: String,
    pub section: &'static str,
    pub key: &'static str,
    /// `integer`, `boolean`, `text`, `duration`, `durations`, `list`, `path`, `tables`.
    pub kind: &'static str,
    /// `bytes` or `seconds` for an integer that counts them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// The value a missing key takes, where it is fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Json>,
    /// By language: `{"en": ..., "zh": ...}`.
    pub label: Translated,
    pub help: Translated,
    pub secret: bool,
    /// Applied by saving, without a restart.
    pub live: bool,
}

/// A text in English and Simplified Chinese.
#[derive(Debug, Clone, Serialize)]
pub struct Translated {
    pub en: String,
    pub zh: &'static str,
}

/// Every declared key (`GET /api/settings/schema`).
pub fn schema() -> Vec<SettingSchema> {
    config::schema::all()
        .into_iter()
        .map(|declared| {
            let s = declared.setting;
            SettingSchema {
                path: s.path(),
                section: s.section,
                key: s.key,
                kind: s.kind.as_str(),
                unit: s.unit.as_str(),
                min: s.min,
                max: s.max,
                default: declared.default.and_then(|d| serde_json::to_value(d).ok()),
                label: Translated {
                    en: s.label.en.to_string(),
                    zh: s.label.zh,
                },
                // The file's comment is wrapped for 80 columns; the panel wraps itself.
                help: Translated {
                    en: s.doc.en.split_whitespace().collect::<Vec<_>>().join(" "),
                    zh: s.doc.zh,
                },
                secret: s.secret,
                live: s.live,
            }
        })
        .collect()
}

/// The effective configuration as JSON with its secrets: for comparing two configurations (a
/// changed password is a change), never for showing.
pub(crate) fn to_json_with_secrets(config: &Config) -> ApiResult<Json> {
    let table: toml::Table = config
        .to_annotated_toml()
        .parse()
        .map_err(|e| ApiError::internal(format!("settings as TOML: {e}")))?;
    serde_json::to_value(table).map_err(|e| ApiError::internal(e.to_string()))
}

/// `text` with `changes` applied, validated; a problem becomes an `invalid` error whose
/// `field` is the first problem's key (e.g. `limits.max_message_size`).
pub fn edit(text: &str, changes: &Json, file: &Path) -> ApiResult<String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| ApiError::internal(format!("{} is not valid TOML: {e}", file.display())))?;
    let Json::Object(changes) = changes else {
        return Err(ApiError::invalid("", "settings must be a JSON object"));
    };
    merge(doc.as_table_mut(), changes, "")?;
    let merged = parse(&doc.to_string(), file)?;
    // The secrets sent back as `********`: the stored ones, where they may go.
    let old = Config::parse(text, file).ok();
    if super::secrets::restore(&mut doc, &merged, old.as_ref())? {
        let edited = doc.to_string();
        parse(&edited, file)?;
        return Ok(edited);
    }
    Ok(doc.to_string())
}

/// `text` as a configuration; a problem becomes an `invalid` error naming the first key.
fn parse(text: &str, file: &Path) -> ApiResult<Config> {
    Config::parse(text, file).map_err(|e| match e {
        config::ConfigError::Invalid { problems, .. } => {
            let message = problems
                .iter()
                .map(|p| format!("{}: {}", p.key, p.message))
                .collect::<Vec<_>>()
                .join("; ");
            let field = problems.first().map(|p| p.key.clone()).unwrap_or_default();
            ApiError::invalid(&field, message)
        }
        other => ApiError::internal(other.to_string()),
    })
}

fn merge(table: &mut Table, changes: &Map<String, Json>, path: &str) -> ApiResult<()> {
    for (key, change) in changes {
        let key_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match change {
            Json::Null => {
                table.remove(key);
            }
            Json::Object(section) => {
                let item = table
                    .entry(key)
                    .or_insert_with(|| Item::Table(Table::new()));
                let Some(inner) = item.as_table_mut() else {
                    return Err(ApiError::invalid(&key_path, "is not a section"));
                };
                merge(inner, section, &key_path)?;
            }
            Json::Array(items) if !items.is_empty() && items.iter().all(Json::is_object) => {
                let mut tables = ArrayOfTables::new();
                for item in items {
                    let mut t = Table::new();
                    if let Json::Object(fields) = item {
                        merge(&mut t, fields, &key_path)?;
                    }
                    tables.push(t);
                }
                table.insert(key, Item::ArrayOfTables(tables));
            }
            value => {
                let mut new = to_toml(value, &key_path)?;
                match table.get_mut(key).and_then(Item::as_value_mut) {
                    // In place: the key keeps the comment above it, the value the one after.
                    Some(old) => {
                        *new.decor_mut() = old.decor().clone();
                        *old = new;
                    }
                    None => {
                        table.insert(key, Item::Value(new));
                    }
                }
            }
        }
    }
    Ok(())
}

fn to_toml(value: &Json, key: &str) -> ApiResult<Value> {
    Ok(match value {
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => return Err(ApiError::invalid(key, format!("{n} is out of range"))),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(to_toml(item, key)?);
            }
            Value::Array(array)
        }
        Json::Object(fields) => {
            let mut inline = InlineTable::new();
            for (k, v) in fields {
                inline.insert(k, to_toml(v, &format!("{key}.{k}"))?);
            }
            Value::InlineTable(inline)
        }
        Json::Null => {
            return Err(ApiError::invalid(
                key,
                "null is only allowed for a whole key",
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# The server's name.
hostname = \"mx.example.test\"

[listen]
# SMTP for mail from the Internet.
smtp = [\"127.0.0.1:2525\"] # loopback while testing

[limits]
# Largest message accepted, in bytes.
max_message_size = 1048576
";

    #[test]
    fn an_edit_keeps_comments_and_layout() {
        let changes = serde_json::json!({ "limits": { "max_message_size": 2048 } });
        let edited = edit(FILE, &changes, Path::new("postroom.toml")).expect("valid");
        assert_eq!(
            edited,
            FILE.replace("max_message_size = 1048576", "max_message_size = 2048")
        );
    }

    #[test]
    fn a_replaced_value_keeps_its_end_of_line_comment_and_new_keys_are_added() {
        let changes = serde_json::json!({
            "listen": { "smtp": ["127.0.0.1:2526"], "imap": ["127.0.0.1:1143"] },
            "queue": { "retry": ["1m"] }
        });
        let edited = edit(FILE, &changes, Path::new("postroom.toml")).expect("valid");
        assert!(
            edited.contains("smtp = [\"127.0.0.1:2526\"] # loopback while testing\n"),
            "{edited}"
        );
        assert!(edited.contains("imap = [\"127.0.0.1:1143\"]"), "{edited}");
        assert!(edited.contains("[queue]\nretry = [\"1m\"]"), "{edited}");
        assert!(edited.starts_with("# The server's name.\n"), "{edited}");
    }

    #[test]
    fn an_invalid_value_is_a_field_error_and_nothing_is_returned() {
        let changes = serde_json::json!({ "limits": { "max_message_size": 5 } });
        let err = edit(FILE, &changes, Path::new("postroom.toml")).expect_err("invalid");
        assert_eq!(err.code, "invalid");
        assert_eq!(err.field.as_deref(), Some("limits.max_message_size"));
        assert!(err.message.contains("between"), "{}", err.message);
    }

    #[test]
    fn null_removes_a_key() {
        let changes = serde_json::json!({ "limits": { "max_message_size": null } });
        let edited = edit(FILE, &changes, Path::new("postroom.toml")).expect("valid");
        assert!(!edited.contains("max_message_size ="), "{edited}");
    }

    #[test]
    fn a_redacted_relay_password_is_kept_only_for_the_same_relay() {
        let file = format!(
            "{FILE}\n[[route]]\ndomains = [\"*\"]\nrelay = [\"127.0.0.1:2587\"]\ntls = \"none\"\nusername = \"office\"\npassword = \"s3cret-pass\"\n"
        );
        let route = |relay: &str, user: &str, password: &str| {
            serde_json::json!({ "route": [{
                "domains": ["a.test", "b.test"], "relay": [relay], "tls": "none",
                "username": user, "password": password
            }] })
        };
        let path = Path::new("postroom.toml");
        // What GET showed, sent back with other domains: the password stays.
        let edited =
            edit(&file, &route("127.0.0.1:2587", "office", REDACTED), path).expect("valid");
        assert!(edited.contains("password = \"s3cret-pass\""), "{edited}");
        assert!(
            edited.contains("b.test") && !edited.contains(REDACTED),
            "{edited}"
        );
        // Another relay, or another user: the stored password would go elsewhere.
        for changed in [
            route("192.0.2.9:2587", "office", REDACTED),
            route("127.0.0.1:25", "office", REDACTED),
            route("127.0.0.1:2587", "other", REDACTED),
        ] {
            let e = edit(&file, &changed, path).expect_err("refused");
            assert_eq!(e.code, "password_again", "{changed}");
            assert_eq!(e.field.as_deref(), Some("route[0].password"));
        }
        // A new password for a new relay is fine.
        let edited = edit(
            &file,
            &route("192.0.2.9:2587", "office", "n3w-pass-word"),
            path,
        )
        .expect("valid");
        assert!(edited.contains("password = \"n3w-pass-word\""), "{edited}");
    }

    #[test]
    fn a_redacted_ddns_secret_is_refused_for_another_endpoint() {
        let file = format!(
            "{FILE}\n[ddns]\nenabled = false\n\n[[ddns.record]]\nprovider = \"dyndns2\"\nhostname = \"office.example.test\"\nendpoint = \"https://dyn.example.test\"\nusername = \"u\"\npassword = \"dyn-secret\"\n"
        );
        let record = |endpoint: &str| {
            serde_json::json!({ "ddns": { "record": [{
                "provider": "dyndns2", "hostname": "office.example.test", "endpoint": endpoint,
                "username": "u", "password": REDACTED
            }] } })
        };
        let path = Path::new("postroom.toml");
        let kept = edit(&file, &record("https://dyn.example.test"), path).expect("valid");
        assert!(kept.contains("dyn-secret"), "{kept}");
        let e = edit(&file, &record("https://evil.example"), path).expect_err("refused");
        assert_eq!(e.field.as_deref(), Some("ddns.record[0].password"));
    }

    #[test]
    fn a_redacted_password_follows_its_own_entry_when_an_earlier_one_is_removed() {
        let file = format!(
            "{FILE}\n[[route]]\ndomains = [\"a.test\"]\nrelay = [\"127.0.0.1:2587\"]\ntls = \"none\"\nusername = \"first\"\npassword = \"first-secret\"\n\
             \n[[route]]\ndomains = [\"b.test\"]\nrelay = [\"127.0.0.1:2588\"]\ntls = \"none\"\nusername = \"second\"\npassword = \"second-secret\"\n"
        );
        // The panel removed the first route and sent the second back as GET showed it.
        let changes = serde_json::json!({ "route": [{
            "domains": ["b.test"], "relay": ["127.0.0.1:2588"], "tls": "none",
            "username": "second", "password": REDACTED
        }] });
        let edited = edit(&file, &changes, Path::new("postroom.toml")).expect("valid");
        assert!(edited.contains("password = \"second-secret\""), "{edited}");
        assert!(!edited.contains("first-secret"), "{edited}");
    }
}
