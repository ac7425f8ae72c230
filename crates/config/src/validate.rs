//! Walking the parsed TOML table key by key, so that every problem is collected (with its
//! dotted key) before we fail. Known keys are taken out of the table as they are read; what is
//! left over is unknown.

use std::net::SocketAddr;
use std::path::PathBuf;

use toml::{Table, Value};

use crate::{Config, Limits, Listen, Problem, Tls};

mod collect;
mod outbound;

pub(crate) use outbound::{duration, strings};

/// Parses and validates `text`; every problem found, or the config.
pub(crate) fn parse(text: &str) -> Result<Config, Vec<Problem>> {
    let mut root: Table = text.parse().map_err(|e| vec![syntax_problem(text, &e)])?;
    let mut problems = Problems(Vec::new());
    let p = &mut problems;

    let hostname = match root.remove("hostname") {
        None => crate::system_hostname(),
        Some(value) => match string(value, "hostname", p) {
            Some(name) => {
                if let Some(why) = domain_problem(&name) {
                    p.push("hostname", why);
                }
                name
            }
            None => String::new(),
        },
    };

    let mut listen_table = section(&mut root, "listen", p);
    let mut addrs = |key: &str, p: &mut Problems| {
        listen_table
            .remove(key)
            .map(|v| addr_list(v, &format!("listen.{key}"), p))
            .unwrap_or_default()
    };
    let listen = Listen {
        smtp: addrs("smtp", p),
        submission: addrs("submission", p),
        submissions: addrs("submissions", p),
        pop3: addrs("pop3", p),
        pop3s: addrs("pop3s", p),
        imap: addrs("imap", p),
        imaps: addrs("imaps", p),
        admin: addrs("admin", p),
    };
    duplicate_addresses(&listen, p);
    unknown_keys("listen", listen_table, p);

    let mut tls_table = section(&mut root, "tls", p);
    let cert_given = tls_table.contains_key("cert");
    let key_given = tls_table.contains_key("key");
    let tls = Tls {
        cert: tls_table
            .remove("cert")
            .and_then(|v| path(v, "tls.cert", p)),
        key: tls_table.remove("key").and_then(|v| path(v, "tls.key", p)),
    };
    if cert_given && !key_given {
        p.push(
            "tls.key",
            "missing: tls.cert is set, so tls.key (its private key) must be set too",
        );
    }
    if key_given && !cert_given {
        p.push(
            "tls.cert",
            "missing: tls.key is set, so tls.cert (its certificate) must be set too",
        );
    }
    unknown_keys("tls", tls_table, p);
    admin_exposure(&listen, &tls, p);

    let mut limits_table = section(&mut root, "limits", p);
    let limits = Limits::read(&mut limits_table, p);
    unknown_keys("limits", limits_table, p);
    let dns = outbound::dns(&mut root, p);
    let routes = outbound::routes(&mut root, p);
    let queue = outbound::queue(&mut root, p);
    let relay = outbound::relay(&mut root, p);
    let mut filter_table = section(&mut root, "filter", p);
    let filter = crate::Filter::read(&mut filter_table, p);
    unknown_keys("filter", filter_table, p);
    let ddns = crate::ddns::ddns(&mut root, p);
    let collect = collect::collect(&mut root, p);
    let etrn = crate::etrn::etrn(&mut root, p);
    let doctor = crate::doctor::doctor(&mut root, p);
    unknown_keys("", root, p);

    if problems.0.is_empty() {
        Ok(Config {
            hostname,
            listen,
            tls,
            limits,
            dns,
            routes,
            queue,
            relay,
            filter,
            ddns,
            collect,
            etrn,
            doctor,
        })
    } else {
        Err(problems.0)
    }
}

pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    /// How many problems were found so far.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(Problem {
            key: key.to_string(),
            message: message.into(),
        });
    }
}

/// A TOML syntax error as one problem located by line and column (both from 1).
fn syntax_problem(text: &str, error: &toml::de::Error) -> Problem {
    let key = match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}")
        }
        None => "syntax".to_string(),
    };
    Problem {
        key,
        message: format!("invalid TOML: {}", error.message().trim_end()),
    }
}

/// "a string", "an integer", ... for type errors.
fn a(value: &Value) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

pub(crate) fn wrong_type(key: &str, expected: &str, found: &Value, p: &mut Problems) {
    p.push(key, format!("expected {expected}, found {}", a(found)));
}

/// Takes the table `[name]` out of `root`; empty when missing or not a table.
pub(crate) fn section(root: &mut Table, name: &str, p: &mut Problems) -> Table {
    match root.remove(name) {
        None => Table::new(),
        Some(Value::Table(table)) => table,
        Some(other) => {
            wrong_type(name, "a table", &other, p);
            Table::new()
        }
    }
}

pub(crate) fn string(value: Value, key: &str, p: &mut Problems) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        other => {
            wrong_type(key, "a string", &other, p);
            None
        }
    }
}

fn path(value: Value, key: &str, p: &mut Problems) -> Option<PathBuf> {
    let s = string(value, key, p)?;
    if s.trim().is_empty() {
        p.push(key, "must not be empty; remove the key to leave it unset");
        return None;
    }
    Some(PathBuf::from(s))
}

fn addr_list(value: Value, key: &str, p: &mut Problems) -> Vec<SocketAddr> {
    let items = match value {
        Value::Array(items) => items,
        other => {
            wrong_type(key, "an array of \"ip:port\" strings", &other, p);
            return Vec::new();
        }
    };
    let mut addrs = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let item_key = format!("{key}[{i}]");
        let Some(text) = string(item, &item_key, p) else {
            continue;
        };
        match text.trim().parse::<SocketAddr>() {
            Ok(addr) => addrs.push(addr),
            Err(_) => p.push(&item_key, format!("`{text}` is not an ip:port address")),
        }
    }
    addrs
}

/// The same address twice would fail at bind time with a less helpful message. Port 0 (any
/// free port, used by tests) never clashes.
fn duplicate_addresses(listen: &Listen, p: &mut Problems) {
    let mut seen: Vec<(SocketAddr, String)> = Vec::new();
    for (service, addrs) in listen.services() {
        for (i, addr) in addrs.iter().enumerate().filter(|(_, a)| a.port() != 0) {
            let key = format!("listen.{service}[{i}]");
            match seen.iter().find(|(a, _)| a == addr) {
                Some((_, first)) => p.push(&key, format!("{addr} is already used by {first}")),
                None => seen.push((*addr, key)),
            }
        }
    }
}

/// The admin API manages everything, so over plain HTTP it may only be reached from this
/// computer: a non-loopback address needs `[tls]` cert and key.
fn admin_exposure(listen: &Listen, tls: &Tls, p: &mut Problems) {
    if tls.cert.is_some() && tls.key.is_some() {
        return;
    }
    for (i, addr) in listen.admin.iter().enumerate() {
        if !addr.ip().is_loopback() {
            p.push(
                &format!("listen.admin[{i}]"),
                format!(
                    "{addr} is reachable from other computers, so the admin API needs TLS: set \
                     tls.cert and tls.key, or listen on 127.0.0.1"
                ),
            );
        }
    }
}

/// Reports what is left of `table` after the known keys were taken out.
pub(crate) fn unknown_keys(section: &str, table: Table, p: &mut Problems) {
    let known: Vec<(&str, &str)> = crate::example::entries(&Config::with_hostname("localhost"))
        .iter()
        .map(|e| (e.section, e.key))
        .chain(crate::example::sections().map(|s| ("", s)))
        .collect();
    for (key, _) in table {
        let dotted = if section.is_empty() {
            key.clone()
        } else {
            format!("{section}.{key}")
        };
        let mut message = format!("unknown key `{dotted}`");
        if let Some(hint) = suggestion(section, &key, &known) {
            message.push_str(&format!(", did you mean `{hint}`?"));
        }
        p.push(&dotted, message);
    }
}

/// Each table of the array of tables `[[name]]` at `value`, read by `read` with its key
/// (`route[2]`); an item with problems (or that is not a table) is left out.
pub(crate) fn items<T>(
    value: Option<Value>,
    name: &str,
    p: &mut Problems,
    read: impl Fn(Table, &str, &mut Problems) -> Option<T>,
) -> Vec<T> {
    let items = match value {
        None => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            wrong_type(name, &format!("[[{name}]] tables"), &other, p);
            return Vec::new();
        }
    };
    let mut read_items = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let at = format!("{name}[{i}]");
        match item {
            Value::Table(table) => read_items.extend(read(table, &at, p)),
            other => wrong_type(&at, "a table", &other, p),
        }
    }
    read_items
}

/// Reports the keys left in one item of an array of tables (`at` is e.g. `route[0]`),
/// suggesting a `known` key spelled nearly the same.
pub(crate) fn unknown_item_keys(at: &str, table: Table, known: &[&str], p: &mut Problems) {
    for (key, _) in table {
        let mut message = format!("unknown key `{at}.{key}`");
        if let Some(near) = known.iter().find(|k| edit_distance(&key, k) <= 2) {
            message.push_str(&format!(", did you mean `{near}`?"));
        }
        p.push(&format!("{at}.{key}"), message);
    }
}

/// The closest known key in the same section when the spelling is near, else the same key in
/// another section (`max_message_size` at the top level means `limits.max_message_size`).
fn suggestion(section: &str, key: &str, known: &[(&str, &str)]) -> Option<String> {
    let near = known
        .iter()
        .filter(|(s, _)| *s == section)
        .map(|(_, k)| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 4).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.to_string());
    near.or_else(|| {
        known
            .iter()
            .find(|(s, k)| *s != section && !s.is_empty() && *k == key)
            .map(|(s, k)| format!("{s}.{k}"))
    })
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Why `name` is not a usable host name (RFC 1123 §2.1 letters, digits, hyphens; RFC 1035
/// §2.3.4 lengths), or `None` when it is.
pub(crate) fn domain_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("must not be empty".to_string());
    }
    let bad = |why: &str| Some(format!("`{name}` is not a valid domain name ({why})"));
    if name.len() > 253 {
        return bad("longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return bad("empty label");
        }
        if label.len() > 63 {
            return bad("a label is longer than 63 characters");
        }
        if let Some(c) = label
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
        {
            return bad(&format!(
                "`{c}` is not allowed; use letters, digits, hyphens and dots"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("a label starts or ends with a hyphen");
        }
    }
    None
}

#[cfg(test)]
mod tests;
