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

/// The comment above the `[[route]]` tables (or the commented-out example).
const ROUTE_DOC: &str = "Routes: mail for matching recipient domains goes through relay hosts instead of\n\
     the domains' MX hosts; the first match wins, no match means direct MX delivery.\n\
     A smart host for everything (the ISP's relay, e.g. on a dynamic-IP line):\n\
     domains = [\"*\"]. Per domain: [\"corp.example.com\", \"*.example.org\"].\n\
     relay: \"host:port\" list, tried in order. tls: \"starttls\" (required) | \"implicit\"\n\
     (port 465) | \"none\". username/password: AUTH PLAIN or LOGIN. ca: PEM file of the\n\
     authority the relay's certificate must chain to (default: the public roots).";

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
    let queue = &config.queue;
    let duration = |d: std::time::Duration| Value::String(crate::format_duration(d));
    let entry = |section, key, doc, value: Value| Entry {
        section,
        key,
        doc,
        example: value.clone(),
        value: Some(value),
    };
    let mut entries = vec![
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
        entry(
            "listen",
            "pop3",
            "POP3 for mail clients that download mail, usually port 110. Logins need STLS\n\
             first, except from this computer (loopback addresses).",
            addrs(&config.listen.pop3),
        ),
        entry(
            "listen",
            "pop3s",
            "POP3 over implicit TLS, usually port 995.",
            addrs(&config.listen.pop3s),
        ),
        entry(
            "listen",
            "imap",
            "IMAP for mail clients that keep mail on the server, usually port 143. Logins\n\
             need STARTTLS first, except from this computer (loopback addresses).",
            addrs(&config.listen.imap),
        ),
        entry(
            "listen",
            "imaps",
            "IMAP over implicit TLS, usually port 993.",
            addrs(&config.listen.imaps),
        ),
        entry(
            "listen",
            "admin",
            "The admin HTTP API and web admin; sign in with the token `postroom admin token`\n\
             prints. Only loopback addresses, unless tls.cert and tls.key are set.",
            addrs(&config.listen.admin),
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
        entry(
            "limits",
            "auth_failures_per_ip",
            "Failed logins (SMTP AUTH, POP3) from one IP address within auth_lockout_secs\n\
             after which that address is refused until auth_lockout_secs have passed.\n\
             Default: 5.",
            int(u64::from(limits.auth_failures_per_ip)),
        ),
        entry(
            "limits",
            "auth_failures_per_account",
            "Failed logins for one account within auth_lockout_secs after which the address\n\
             they came from may not try it (even with the right password) until\n\
             auth_lockout_secs have passed; counted from all addresses together, other\n\
             addresses than those that signed in to it before must then wait between tries\n\
             (1 s, 2 s, 4 s... up to auth_lockout_secs). Default: 10.",
            int(u64::from(limits.auth_failures_per_account)),
        ),
        entry(
            "limits",
            "auth_lockout_secs",
            "How long failed logins count, and how long a lockout lasts, in seconds.\n\
             Default: 900.",
            int(limits.auth_lockout_secs),
        ),
        entry(
            "limits",
            "pop3_idle_timeout_secs",
            "Seconds a POP3 client may stay idle before it is disconnected (RFC 1939 §3\n\
             asks for at least 600). Default: 600.",
            int(limits.pop3_idle_timeout_secs),
        ),
        entry(
            "limits",
            "memory_budget",
            "Bytes of messages all connections together may hold in memory while they\n\
             arrive (SMTP DATA/BDAT, IMAP APPEND); past it a client is told to try again\n\
             later. SMTP messages over 1 MiB are spooled to the data directory's tmp/\n\
             folder, so this bounds memory, not message size. At least 1 MiB.\n\
             Default: 268435456 (256 MiB).",
            int(limits.memory_budget),
        ),
        entry(
            "limits",
            "data_total_timeout_secs",
            "Seconds one whole DATA or BDAT transfer may take, even while bytes keep\n\
             arriving (RFC 5321 §4.5.3.2.6); the client then gets 451 and is disconnected.\n\
             Default: 600.",
            int(limits.data_total_timeout_secs),
        ),
        entry(
            "limits",
            "admin_session_idle_secs",
            "Seconds a sign-in to the admin panel lasts unused; a session also ends 7 days\n\
             after sign-in. Default: 43200 (12 hours).",
            int(limits.admin_session_idle_secs),
        ),
        Entry {
            section: "dns",
            key: "servers",
            doc: "DNS servers as \"ip:port\". Unset: the system's resolvers (/etc/resolv.conf).",
            value: (!config.dns.servers.is_empty()).then(|| addrs(&config.dns.servers)),
            example: Value::Array(vec![Value::String("127.0.0.1:53".into())]),
        },
        entry(
            "queue",
            "retry",
            "Waits between delivery attempts (\"30s\", \"5m\", \"4h\", \"1d\"); the last one repeats\n\
             until give_up_after. Default: [\"5m\", \"10m\", \"30m\", \"1h\", \"2h\", \"4h\"].",
            Value::Array(queue.retry.iter().map(|d| duration(*d)).collect()),
        ),
        entry(
            "queue",
            "give_up_after",
            "Mail still undelivered this long after it was queued is returned to its sender\n\
             (a failure notice, RFC 3464). Default: \"5d\".",
            duration(queue.give_up_after),
        ),
        entry(
            "queue",
            "delay_notice_after",
            "The sender gets one delay notice when mail is still undelivered after this long.\n\
             Default: \"4h\".",
            duration(queue.delay_notice_after),
        ),
        entry(
            "queue",
            "max_connections_per_destination",
            "Simultaneous connections to one destination (a domain's MX hosts, or a route's\n\
             relay). Default: 10.",
            size(queue.max_connections_per_destination),
        ),
        entry(
            "queue",
            "max_connections",
            "Simultaneous outbound connections in all. Default: 100.",
            size(queue.max_connections),
        ),
        entry(
            "queue",
            "keep_finished",
            "Delivered and failed mail stays listed (`postroom queue list --all`) this long.\n\
             Default: \"1d\".",
            duration(queue.keep_finished),
        ),
        entry(
            "queue",
            "mx_port",
            "The port of MX hosts. Always 25 on the Internet: change it only for tests.\n\
             Default: 25.",
            int(u64::from(queue.mx_port)),
        ),
        entry(
            "queue",
            "allow_internal_mx",
            "Deliver to MX hosts at loopback, private (RFC 1918), link-local or unique-local\n\
             addresses. Off, such a domain's mail is refused, so outside DNS cannot aim the\n\
             queue at your LAN; reach internal servers with a [[route]] instead. Default: false.",
            Value::Boolean(queue.allow_internal_mx),
        ),
        entry(
            "relay",
            "networks",
            "Client networks that may relay through port 25 without logging in, in CIDR form\n\
             (e.g. [\"192.168.1.0/24\"] for the office LAN). Default: none, so relaying needs\n\
             AUTH and the server is never an open relay.",
            Value::Array(
                config
                    .relay
                    .networks
                    .iter()
                    .map(|n| Value::String(n.to_string()))
                    .collect(),
            ),
        ),
        Entry {
            section: "relay",
            key: "etrn",
            doc: "Who may ask with ETRN (RFC 1985) on port 25 for the mail held here: client\n\
                  domains (e.g. \"office.example\": anyone may ask for it and its sub-domains)\n\
                  and networks (\"192.0.2.0/24\": clients there may ask for any domain).\n\
                  Unset: only clients in `networks`.",
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
        },
    ];
    entries.extend(crate::connect::ddns_entries(config));
    entries.extend(crate::connect::doctor_entries(config));
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
            push_comment(&mut out, entry.doc);
            match &entry.value {
                Some(value) => out.push_str(&format!("{} = {value}\n", entry.key)),
                None => out.push_str(&format!("# {} = {}\n", entry.key, entry.example)),
            }
        }
    }
    out.push('\n');
    push_comment(&mut out, ROUTE_DOC);
    if config.routes.is_empty() {
        out.push_str(
            "# [[route]]\n# domains = [\"*\"]\n# relay = [\"smtp.isp.example:587\"]\n\
             # tls = \"starttls\"\n# username = \"office@isp.example\"\n# password = \"...\"\n",
        );
    }
    for route in &config.routes {
        out.push_str(&route_table(route));
    }
    out.push_str(&crate::connect::ddns_tables(config));
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
            limits: Limits {
                max_message_size: 1024,
                max_recipients: 1,
                max_line_length: 512,
                command_timeout_secs: 1,
                data_timeout_secs: 2,
                max_errors: 3,
                max_connections_per_ip: 4,
                max_connections: 5,
                auth_failures_per_ip: 6,
                auth_failures_per_account: 7,
                auth_lockout_secs: 8,
                pop3_idle_timeout_secs: 9,
                memory_budget: 10 * 1024 * 1024,
                data_total_timeout_secs: 11,
                admin_session_idle_secs: 12,
            },
            ..outbound_changed()
        };
        assert_eq!(round_trip(&config), config);
    }

    /// Every outbound setting changed from its default (the rest of `Config` is defaults).
    fn outbound_changed() -> Config {
        use std::time::Duration;

        use crate::{Dns, Network, Queue, Relay, RelayHost, Route, RouteTls, Secret};

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
            queue: Queue {
                retry: vec![Duration::from_secs(1), Duration::from_secs(90)],
                give_up_after: Duration::from_secs(3600),
                delay_notice_after: Duration::from_secs(60),
                max_connections_per_destination: 2,
                max_connections: 3,
                keep_finished: Duration::from_secs(7200),
                mx_port: 2525,
                allow_internal_mx: true,
            },
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
