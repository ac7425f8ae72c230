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
];

/// One key of the file.
pub(crate) struct Entry {
    /// The section it lives in; "" for the top level.
    pub section: &'static str,
    pub key: &'static str,
    /// The comment written above it.
    pub doc: &'static str,
    /// Its value in the config being written; `None` writes `example` commented out.
    pub value: Option<Value>,
    /// What to show when there is no value.
    pub example: Value,
}

/// Every key the file knows, in file order, with `config`'s values.
pub(crate) fn entries(config: &Config) -> Vec<Entry> {
    let int = |n: u64| Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    let size = |n: usize| int(u64::try_from(n).unwrap_or(u64::MAX));
    let addrs = |list: &[std::net::SocketAddr]| {
        Value::Array(list.iter().map(|a| Value::String(a.to_string())).collect())
    };
    let path = |p: &Option<std::path::PathBuf>| {
        p.as_ref()
            .map(|p| Value::String(p.to_string_lossy().into_owned()))
    };
    let limits = &config.limits;
    let entry = |section, key, doc, value: Value| Entry {
        section,
        key,
        doc,
        example: value.clone(),
        value: Some(value),
    };
    vec![
        entry(
            "",
            "hostname",
            "The server's name, as the Internet sees it: the greeting, EHLO, Received headers\n\
             and the self-signed certificate. Usually the name your MX record points to.\n\
             Default: this computer's host name.",
            Value::String(config.hostname.clone()),
        ),
        entry(
            "listen",
            "smtp",
            "SMTP for mail from the Internet (MX), usually port 25.",
            addrs(&config.listen.smtp),
        ),
        entry(
            "listen",
            "submission",
            "Submission with STARTTLS for your own mail clients, usually port 587.",
            addrs(&config.listen.submission),
        ),
        entry(
            "listen",
            "submissions",
            "Submission over implicit TLS for your own mail clients, usually port 465.",
            addrs(&config.listen.submissions),
        ),
        Entry {
            section: "tls",
            key: "cert",
            doc: "PEM file with the certificate chain, leaf first (e.g. Let's Encrypt's\n\
                  fullchain.pem).",
            value: path(&config.tls.cert),
            example: Value::String("/etc/postroom/fullchain.pem".into()),
        },
        Entry {
            section: "tls",
            key: "key",
            doc: "PEM file with the private key (e.g. privkey.pem).",
            value: path(&config.tls.key),
            example: Value::String("/etc/postroom/privkey.pem".into()),
        },
        entry(
            "limits",
            "max_message_size",
            "Largest message accepted, in bytes, announced with SIZE; 1 KiB to 2 GiB.\n\
             Default: 52428800 (50 MiB).",
            int(limits.max_message_size),
        ),
        entry(
            "limits",
            "max_recipients",
            "Most recipients in one message (RFC 5321 §4.5.3.1.8 asks for at least 100).\n\
             Default: 1000.",
            size(limits.max_recipients),
        ),
        entry(
            "limits",
            "max_line_length",
            "Longest command line, in bytes; at least 512 (RFC 5321 §4.5.3.1.4).\n\
             Default: 4096.",
            size(limits.max_line_length),
        ),
        entry(
            "limits",
            "command_timeout_secs",
            "Seconds to wait for the client's next command (RFC 5321 §4.5.3.2.7).\n\
             Default: 300.",
            int(limits.command_timeout_secs),
        ),
        entry(
            "limits",
            "data_timeout_secs",
            "Seconds to wait for more message data (RFC 5321 §4.5.3.2.5).\nDefault: 180.",
            int(limits.data_timeout_secs),
        ),
        entry(
            "limits",
            "max_errors",
            "Errors (bad commands, failed logins, refused recipients) before the connection\n\
             is closed. Default: 20.",
            int(u64::from(limits.max_errors)),
        ),
        entry(
            "limits",
            "max_connections_per_ip",
            "Simultaneous connections from one IP address (an office behind one NAT\n\
             address shares it). Default: 50.",
            size(limits.max_connections_per_ip),
        ),
        entry(
            "limits",
            "max_connections",
            "Simultaneous connections in all. Default: 1000.",
            size(limits.max_connections),
        ),
    ]
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
            push_comment(&mut out, entry.doc);
            match &entry.value {
                Some(value) => out.push_str(&format!("{} = {value}\n", entry.key)),
                None => out.push_str(&format!("# {} = {}\n", entry.key, entry.example)),
            }
        }
    }
    out
}

fn push_comment(out: &mut String, doc: &str) {
    for line in doc.lines() {
        out.push_str("# ");
        out.push_str(line.trim_start());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

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
            },
            tls: Tls {
                cert: Some(PathBuf::from("/etc/ssl/my \"cert\".pem")),
                key: Some(PathBuf::from("/etc/ssl/key.pem")),
            },
            limits: Limits {
                max_message_size: 1024,
                max_recipients: 1,
                max_line_length: 512,
                command_timeout_secs: 1,
                data_timeout_secs: 2,
                max_errors: 3,
                max_connections_per_ip: 4,
                max_connections: 5,
            },
        };
        assert_eq!(round_trip(&config), config);
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
