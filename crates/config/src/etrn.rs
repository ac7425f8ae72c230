//! `[[etrn]]`: the backup MX hosts asked with ETRN (RFC 1985) to send the mail
//! they hold for our domains, with validation and the annotated file's tables.

use std::time::Duration;

use toml::{Table, Value};

use crate::validate::{
    Problems, domain_problem, duration, items, string, strings, unknown_item_keys, wrong_type,
};

/// How an `[[etrn]]` connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EtrnTls {
    /// STARTTLS (RFC 3207) must be offered and succeed, with a verified certificate.
    #[default]
    Starttls,
    /// Plain text: only for a trusted network.
    None,
}

impl EtrnTls {
    pub fn as_str(self) -> &'static str {
        match self {
            EtrnTls::Starttls => "starttls",
            EtrnTls::None => "none",
        }
    }
}

/// `[[etrn]]`: one backup MX asked to start its queue for `domains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Etrn {
    /// The backup MX's name or address.
    pub host: String,
    pub port: u16,
    /// The domains to ask for (`ETRN domain`), lower case.
    pub domains: Vec<String>,
    pub tls: EtrnTls,
    /// Asked again this often (besides at start and when the public IP changes).
    pub interval: Duration,
}

/// The default time between runs.
pub const ETRN_INTERVAL: Duration = Duration::from_secs(3_600);

const ETRN_KEYS: &[&str] = &["host", "port", "domains", "tls", "interval"];

pub(crate) fn etrn(root: &mut Table, p: &mut Problems) -> Vec<Etrn> {
    items(root.remove("etrn"), "etrn", p, entry)
}

fn entry(mut table: Table, at: &str, p: &mut Problems) -> Option<Etrn> {
    let before = p.len();
    let key = |name: &str| format!("{at}.{name}");
    let host = table
        .remove("host")
        .and_then(|v| string(v, &key("host"), p))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty());
    match &host {
        None => p.push(
            &key("host"),
            "missing: the backup MX's name, e.g. \"backup-mx.isp.example\"",
        ),
        Some(h) if h.parse::<std::net::IpAddr>().is_err() => {
            if let Some(why) = domain_problem(h) {
                p.push(&key("host"), why);
            }
        }
        Some(_) => {}
    }
    let port = match table.remove("port") {
        None => 25,
        Some(Value::Integer(n)) if (1..=65_535).contains(&n) => u16::try_from(n).unwrap_or(25),
        Some(Value::Integer(n)) => {
            p.push(
                &key("port"),
                format!("must be between 1 and 65535, found {n}"),
            );
            25
        }
        Some(other) => {
            wrong_type(&key("port"), "an integer", &other, p);
            25
        }
    };
    let mut domains = Vec::new();
    match table.remove("domains") {
        None => p.push(
            &key("domains"),
            "missing: the domains the backup MX holds mail for, e.g. [\"example.com\"]",
        ),
        Some(value) => {
            for (item_key, domain) in strings(value, &key("domains"), p) {
                let domain = domain.trim().to_ascii_lowercase();
                match domain_problem(&domain) {
                    Some(why) => p.push(&item_key, why),
                    None => domains.push(domain),
                }
            }
            if domains.is_empty() && p.len() == before {
                p.push(&key("domains"), "empty: list at least one domain");
            }
        }
    }
    let tls = match table.remove("tls").and_then(|v| string(v, &key("tls"), p)) {
        None => EtrnTls::Starttls,
        Some(text) => match text.as_str() {
            "starttls" => EtrnTls::Starttls,
            "none" => EtrnTls::None,
            other => {
                p.push(
                    &key("tls"),
                    format!("`{other}` is not one of \"starttls\", \"none\""),
                );
                EtrnTls::Starttls
            }
        },
    };
    let interval = table
        .remove("interval")
        .and_then(|v| string(v, &key("interval"), p))
        .and_then(|text| duration(&key("interval"), &text, p))
        .unwrap_or(ETRN_INTERVAL);
    unknown_item_keys(at, table, ETRN_KEYS, p);
    (p.len() == before).then_some(Etrn {
        host: host?,
        port,
        domains,
        tls,
        interval,
    })
}

/// The comment above the `[[etrn]]` tables (or the commented-out example).
const ETRN_DOC: &str = "ETRN (RFC 1985): ask a backup MX that queues mail for your domains while this line is\n\
     down to send it now: at start, whenever the public IP changes (with [ddns] enabled)\n\
     and every interval (default \"1h\"). host, port (default 25), domains: the domains to\n\
     ask for. tls: \"starttls\" (default; the certificate is verified) | \"none\".";

/// The `[[etrn]]` part of the annotated file.
pub(crate) fn annotated(etrn: &[Etrn]) -> String {
    let mut out = String::from("\n");
    crate::example::push_comment(&mut out, ETRN_DOC);
    if etrn.is_empty() {
        out.push_str(
            "# [[etrn]]\n# host = \"backup-mx.isp.example\"\n# domains = [\"example.com\"]\n",
        );
    }
    let line = |key: &str, value: Value| format!("{key} = {value}\n");
    for entry in etrn {
        out.push_str("[[etrn]]\n");
        out.push_str(&line("host", entry.host.as_str().into()));
        out.push_str(&line("port", i64::from(entry.port).into()));
        let domains = entry.domains.iter().map(|d| d.as_str().into()).collect();
        out.push_str(&line("domains", Value::Array(domains)));
        out.push_str(&line("tls", entry.tls.as_str().into()));
        let interval = crate::format_duration(entry.interval);
        out.push_str(&line("interval", interval.into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::EtrnTls;

    use crate::parse_for_test as parse;

    #[test]
    fn entries_parse_and_round_trip() {
        let text = "hostname = \"mx.example.test\"\n\
             [[etrn]]\nhost = \"backup.example.net\"\ndomains = [\"Example.TEST\"]\n\
             [[etrn]]\nhost = \"127.0.0.1\"\nport = 2525\ndomains = [\"a.test\", \"b.test\"]\n\
             tls = \"none\"\ninterval = \"10m\"\n";
        let config = parse(text).expect("valid");
        let [first, second] = config.etrn.as_slice() else {
            panic!("two entries expected: {:?}", config.etrn);
        };
        assert_eq!(first.port, 25);
        assert_eq!(first.domains, ["example.test"]);
        assert_eq!(first.tls, EtrnTls::Starttls);
        assert_eq!(first.interval.as_secs(), 3_600);
        assert_eq!((second.port, second.tls), (2525, EtrnTls::None));
        assert_eq!(second.interval.as_secs(), 600);
        let again = parse(&config.to_annotated_toml()).expect("the annotated file parses");
        assert_eq!(again.etrn, config.etrn);
    }

    #[test]
    fn problems_name_the_key() {
        let text = "hostname = \"mx.example.test\"\n\
             [[etrn]]\nport = 0\ndomains = [\"not a domain\"]\ntls = \"ssl\"\nintervall = \"1h\"\n";
        let all = parse(text).expect_err("invalid");
        for expected in [
            "etrn[0].host: missing",
            "etrn[0].port: must be between 1 and 65535",
            "etrn[0].domains[0]",
            "etrn[0].tls: `ssl` is not one of",
            "etrn[0].intervall: unknown key `etrn[0].intervall`, did you mean `interval`?",
        ] {
            assert!(all.contains(expected), "{expected:?} not in:\n{all}");
        }
    }
}
