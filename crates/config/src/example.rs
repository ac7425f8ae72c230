//! The annotated `postroom.toml`, generated from one table of keys, docs and values so the
//! docs are written once. The validator reads its list of known keys from the same table.

use toml::Value;

use crate::Config;

/// Sections in file order with the comment above their header; "" is the top level.
const SECTIONS: &[(&str, &str)] = &[
    ("", ""),
    (
        "listen",
        "Addresses to listen on, as lists of \"ip:port\". IPv6 addresses such as \"[::]:25\"\n\
         take IPv6 only: list \"0.0.0.0:25\" too for IPv4. A missing or empty list turns\n\
         that service off.",
    ),
    (
        "tls",
        "The TLS certificate, as PEM files; set both or neither.\n\
         Neither: a self-signed certificate is made on first start and kept in the data\n\
         directory. Mail clients will warn about it; use a real certificate in production.",
    ),
    (
        "limits",
        "Limits that protect the server from bad or hostile clients.",
    ),
    (
        "dns",
        "DNS resolvers for outbound mail (MX, A and AAAA lookups).",
    ),
    (
        "queue",
        "The outbound queue: how often undelivered mail is retried, when the sender hears\n\
         about it, and how many connections delivery uses.",
    ),
    (
        "relay",
        "Who may send mail to outside addresses. Logged-in users (AUTH) always may.",
    ),
    (
        "filter",
        "Checks on mail from the Internet: sender authentication (SPF, DKIM, ARC, DMARC),\n\
         blocklists, greylisting and the content filter. Logged-in users (AUTH) and\n\
         [relay] networks skip them.",
    ),
    (
        "ddns",
        "Dynamic DNS for a line whose public IP address changes: the address is looked up\n\
         through HTTP IP-echo services and the [[ddns.record]] names below are updated when\n\
         it changes. Off until enabled: nothing is contacted before.",
    ),
    (
        "doctor",
        "The connectivity doctor (`postroom doctor`): what it tests port 25, the public\n\
         address and the DNS blocklists against.",
    ),
];

/// One key of the file.
pub(crate) struct Entry {
    /// The section it lives in; "" for the top level.
    pub section: &'static str,
    pub key: &'static str,
    /// The comment written above it.
    pub doc: std::borrow::Cow<'static, str>,
    /// Its value in the config being written; `None` writes `example` commented out.
    pub value: Option<Value>,
    /// What to show when there is no value.
    pub example: Value,
}

/// The English doc of a key declared in `schema::OTHER`.
fn doc(section: &str, key: &str) -> &'static str {
    crate::schema::OTHER
        .iter()
        .find(|s| s.section == section && s.key == key)
        .map_or("", |s| s.doc.en)
}

/// The entries of a section declared with `schema::settings!`: each key's doc, its default
/// and its value in the config being written.
fn declared(
    settings: &'static [crate::schema::Setting],
    values: Vec<Value>,
    defaults: Vec<Value>,
) -> impl Iterator<Item = Entry> {
    settings
        .iter()
        .zip(values)
        .zip(defaults)
        .map(|((setting, value), default)| Entry {
            section: setting.section,
            key: setting.key,
            doc: format!(
                "{}{}",
                setting.doc.en,
                crate::schema::default_text(setting, &default)
            )
            .into(),
            example: value.clone(),
            value: Some(value),
        })
}

/// Every key the file knows, in file order, with `config`'s values.
pub(crate) fn entries(config: &Config) -> Vec<Entry> {
    let addrs = |list: &[std::net::SocketAddr]| {
        Value::Array(list.iter().map(|a| Value::String(a.to_string())).collect())
    };
    let path = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map(|p| Value::String(p.to_string_lossy().into_owned()))
    };
    let entry = |section, key, value: Value| Entry {
        section,
        key,
        doc: doc(section, key).into(),
        example: value.clone(),
        value: Some(value),
    };
    let mut entries = vec![entry(
        "",
        "hostname",
        Value::String(config.hostname.clone()),
    )];
    for (key, list) in config.listen.services() {
        entries.push(entry("listen", key, addrs(list)));
    }
    entries.push(Entry {
        value: path(&config.tls.cert),
        example: Value::String("/etc/postroom/fullchain.pem".into()),
        ..entry("tls", "cert", Value::Boolean(false))
    });
    entries.push(Entry {
        value: path(&config.tls.key),
        example: Value::String("/etc/postroom/privkey.pem".into()),
        ..entry("tls", "key", Value::Boolean(false))
    });
    entries.extend(declared(
        crate::Limits::SETTINGS,
        config.limits.values(),
        crate::Limits::default().values(),
    ));
    entries.push(Entry {
        value: (!config.dns.servers.is_empty()).then(|| addrs(&config.dns.servers)),
        example: Value::Array(vec![Value::String("127.0.0.1:53".into())]),
        ..entry("dns", "servers", Value::Boolean(false))
    });
    entries.extend(declared(
        crate::Queue::SETTINGS,
        config.queue.values(),
        crate::Queue::default().values(),
    ));
    entries.push(entry(
        "relay",
        "networks",
        Value::Array(
            config
                .relay
                .networks
                .iter()
                .map(|n| Value::String(n.to_string()))
                .collect(),
        ),
    ));
    entries.push(Entry {
        value: (!config.relay.etrn.is_empty()).then(|| {
            Value::Array(
                config
                    .relay
                    .etrn
                    .iter()
                    .map(|e| match e {
                        crate::EtrnClient::Domain(d) => Value::String(d.clone()),
                        crate::EtrnClient::Network(n) => Value::String(n.to_string()),
                    })
                    .collect(),
            )
        }),
        example: Value::Array(vec![
            Value::String("office.example".into()),
            Value::String("192.0.2.0/24".into()),
        ]),
        ..entry("relay", "etrn", Value::Boolean(false))
    });
    entries.extend(declared(
        crate::Filter::SETTINGS,
        config.filter.values(),
        crate::Filter::default().values(),
    ));
    entries.extend(crate::ddns::ddns_entries(config));
    entries.extend(crate::doctor::doctor_entries(config));
    entries
}

/// The known section names.
pub(crate) fn sections() -> impl Iterator<Item = &'static str> {
    SECTIONS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !name.is_empty())
}

/// The annotated file for `config`.
pub(crate) fn annotated(config: &Config) -> String {
    let mut out = String::from(
        "# postroom.toml: settings of the Postroom mail server.\n\
         # Every key is shown with its current value. Missing keys take their defaults;\n\
         # an unknown key is an error.\n",
    );
    for (section, section_doc) in SECTIONS {
        if !section.is_empty() {
            out.push('\n');
            push_comment(&mut out, section_doc);
            out.push_str(&format!("[{section}]\n"));
        }
        for entry in entries(config).iter().filter(|e| e.section == *section) {
            if section.is_empty() {
                out.push('\n');
            }
            push_comment(&mut out, &entry.doc);
            match &entry.value {
                Some(value) => out.push_str(&format!("{} = {value}\n", entry.key)),
                None => out.push_str(&format!("# {} = {}\n", entry.key, entry.example)),
            }
        }
    }
    out.push('\n');
    push_comment(&mut out, doc("", "route"));
    if config.routes.is_empty() {
        out.push_str(
            "# [[route]]\n# domains = [\"*\"]\n# relay = [\"smtp.isp.example:587\"]\n\
             # tls = \"starttls\"\n# username = \"office@isp.example\"\n# password = \"...\"\n",
        );
    }
    for route in &config.routes {
        out.push_str(&route_table(route));
    }
    out.push_str(&crate::ddns::ddns_tables(config));
    out.push_str(&crate::collect::annotated(&config.collect));
    out.push_str(&crate::etrn::annotated(&config.etrn));
    out
}

/// One `[[route]]` table.
fn route_table(route: &crate::Route) -> String {
    let strings = |items: Vec<String>| Value::Array(items.into_iter().map(Value::String).collect());
    let mut out = String::from("[[route]]\n");
    out.push_str(&format!("domains = {}\n", strings(route.domains.clone())));
    let relay = route.relay.iter().map(ToString::to_string).collect();
    out.push_str(&format!("relay = {}\n", strings(relay)));
    out.push_str(&format!("tls = \"{}\"\n", route.tls.as_str()));
    if let Some(user) = &route.username {
        out.push_str(&format!("username = {}\n", Value::String(user.clone())));
    }
    if let Some(password) = &route.password {
        out.push_str(&format!(
            "password = {}\n",
            Value::String(password.0.clone())
        ));
    }
    if let Some(ca) = &route.ca {
        let ca = ca.to_string_lossy().into_owned();
        out.push_str(&format!("ca = {}\n", Value::String(ca)));
    }
    out
}

pub(crate) fn push_comment(out: &mut String, doc: &str) {
    for line in doc.lines() {
        out.push_str("# ");
        out.push_str(line.trim_start());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use toml::Value;

    use crate::{Config, Limits, Listen, Tls};

    fn round_trip(config: &Config) -> Config {
        let text = config.to_annotated_toml();
        Config::parse(&text, Path::new("example.toml"))
            .unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
    }

    #[test]
    fn defaults_round_trip() {
        let config = Config::with_hostname("mail.example.test");
        assert_eq!(round_trip(&config), config);
    }

    #[test]
    fn every_value_round_trips_when_changed_from_its_default() {
        let config = Config {
            hostname: "mx1.example.org".into(),
            listen: Listen {
                smtp: vec![
                    "127.0.0.1:2525".parse().expect("addr"),
                    "[::1]:2525".parse().expect("addr"),
                ],
                submission: vec![],
                submissions: vec!["192.0.2.1:10465".parse().expect("addr")],
                pop3: vec!["127.0.0.1:10110".parse().expect("addr")],
                pop3s: vec![],
                imap: vec![],
                imaps: vec![],
                admin: vec!["127.0.0.1:18088".parse().expect("addr")],
            },
            tls: Tls {
                cert: Some(PathBuf::from("/etc/ssl/my \"cert\".pem")),
                key: Some(PathBuf::from("/etc/ssl/key.pem")),
            },
            limits: declared_changed().limits,
            ..outbound_changed()
        };
        assert_eq!(round_trip(&config), config);
    }

    /// Each key of the sections declared with `schema::settings!` (`[limits]`, `[queue]`) set
    /// to a valid value other than its default, read from the declarations themselves: a
    /// new declared key is covered without naming it here.
    fn declared_changed() -> Config {
        use crate::schema::{Kind, Setting};
        use crate::{Filter, Queue};

        let changed = |setting: &Setting, default: &Value| -> Value {
            match (setting.kind, default) {
                (Kind::Integer, Value::Integer(d)) => {
                    let min = setting.min.unwrap_or(1);
                    Value::Integer(if *d == min { min + 1 } else { min })
                }
                (Kind::Boolean, Value::Boolean(b)) => Value::Boolean(!b),
                (Kind::Duration, _) => Value::String("7s".into()),
                (Kind::Durations, _) => Value::Array(vec!["7s".into(), "9m".into()]),
                (Kind::Text, _) => Value::String("changed".into()),
                (Kind::List, _) => Value::Array(vec!["changed.example=1".into()]),
                other => panic!("no changed value for {}: {other:?}", setting.path()),
            }
        };
        let mut text = String::new();
        let sections = [
            ("limits", Limits::SETTINGS, Limits::default().values()),
            ("queue", Queue::SETTINGS, Queue::default().values()),
            ("filter", Filter::SETTINGS, Filter::default().values()),
        ];
        for (section, settings, defaults) in &sections {
            text.push_str(&format!("[{section}]\n"));
            for (setting, default) in settings.iter().zip(defaults) {
                let value = changed(setting, default);
                text.push_str(&format!("{} = {value}\n", setting.key));
            }
        }
        let config = Config::parse(&text, Path::new("changed.toml"))
            .unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
        let now = [config.limits.values(), config.queue.values()];
        for ((section, settings, defaults), values) in sections.iter().zip(now) {
            for ((setting, default), value) in settings.iter().zip(defaults).zip(values) {
                assert_ne!(&value, default, "{section}.{} unchanged", setting.key);
            }
        }
        config
    }

    /// Every outbound setting changed from its default (the rest of `Config` is defaults).
    fn outbound_changed() -> Config {
        use crate::{Dns, Network, Relay, RelayHost, Route, RouteTls, Secret};

        let route = |domains: &[&str], tls| Route {
            domains: domains.iter().map(|d| d.to_string()).collect(),
            relay: vec![
                RelayHost {
                    host: "smtp.isp.test".into(),
                    port: 587,
                },
                RelayHost {
                    host: "::1".into(),
                    port: 25,
                },
            ],
            tls,
            username: Some("office@isp.test".into()),
            password: Some(Secret("pa\"ss".into())),
            ca: Some(PathBuf::from("/etc/ca.pem")),
        };
        Config {
            dns: Dns {
                servers: vec!["127.0.0.1:5353".parse().expect("addr")],
            },
            routes: vec![
                route(&["corp.test", "*.corp.test"], RouteTls::None),
                route(&["*"], RouteTls::Implicit),
            ],
            queue: declared_changed().queue,
            relay: Relay {
                networks: vec![Network {
                    addr: "10.0.0.0".parse().expect("ip"),
                    prefix: 8,
                }],
                etrn: vec![
                    crate::EtrnClient::Domain("office.test".into()),
                    crate::EtrnClient::Network(Network {
                        addr: "192.0.2.0".parse().expect("ip"),
                        prefix: 24,
                    }),
                ],
            },
            ..Config::with_hostname("x.test")
        }
    }

    #[test]
    fn tls_keys_are_commented_out_when_unset() {
        let text = Config::with_hostname("mail.example.test").to_annotated_toml();
        assert!(
            text.contains("\n# cert = \"/etc/postroom/fullchain.pem\"\n"),
            "{text}"
        );
        assert!(text.contains("\n# key = "), "{text}");
    }

    #[test]
    fn every_key_has_a_comment_above_it() {
        let text = Config::with_hostname("mail.example.test").to_annotated_toml();
        let lines: Vec<&str> = text.lines().collect();
        for entry in super::entries(&Config::with_hostname("x")) {
            let at = lines
                .iter()
                .position(|l| {
                    l.starts_with(&format!("{} = ", entry.key))
                        || l.starts_with(&format!("# {} = ", entry.key))
                })
                .unwrap_or_else(|| panic!("{} missing", entry.key));
            assert!(
                at > 0 && lines[at - 1].starts_with("# "),
                "{} has no doc",
                entry.key
            );
        }
    }
}
