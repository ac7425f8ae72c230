//! `[doctor]`: what the connectivity doctor tests against: the host for the
//! outbound port-25 test, the DNS blocklists, the time each network step may take.

use std::time::Duration;

use toml::{Table, Value};

use crate::example::Entry;
use crate::validate::{Problems, domain_problem, duration, section, string, strings, unknown_keys};

/// `[doctor]`: settings of the connectivity doctor (`postroom doctor`, `POST /api/doctor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doctor {
    /// "host:port" the port-25 test connects to; `None`: the first MX host of
    /// `port25_test_domain` on port 25.
    pub port25_test_host: Option<String>,
    /// The domain whose MX host the port-25 test connects to when no host is set.
    pub port25_test_domain: String,
    /// DNS blocklist zones the public IPv4 and IPv6 addresses are looked up in (RFC 5782);
    /// empty: skip.
    pub blocklists: Vec<String>,
    /// Longest wait for one connection, reply or HTTP request. DNS look-ups have their own,
    /// shorter limits (`dynip::doctor`).
    pub timeout: Duration,
}

impl Default for Doctor {
    fn default() -> Self {
        Doctor {
            port25_test_host: None,
            port25_test_domain: "gmail.com".into(),
            blocklists: vec!["zen.spamhaus.org".into(), "bl.spamcop.net".into()],
            timeout: Duration::from_secs(10),
        }
    }
}

pub(crate) fn doctor(root: &mut Table, p: &mut Problems) -> Doctor {
    let mut table = section(root, "doctor", p);
    let mut doctor = Doctor::default();
    if let Some(text) = table
        .remove("port25_test_host")
        .and_then(|v| string(v, "doctor.port25_test_host", p))
    {
        let port_ok = text.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && port.parse::<u16>().is_ok_and(|n| n > 0)
        });
        if port_ok {
            doctor.port25_test_host = Some(text);
        } else {
            p.push(
                "doctor.port25_test_host",
                format!("`{text}` is not \"host:port\", e.g. \"mx.example.com:25\""),
            );
        }
    }
    if let Some(name) = table
        .remove("port25_test_domain")
        .and_then(|v| string(v, "doctor.port25_test_domain", p))
    {
        match domain_problem(&name) {
            Some(why) => p.push("doctor.port25_test_domain", why),
            None => doctor.port25_test_domain = name.to_ascii_lowercase(),
        }
    }
    if let Some(value) = table.remove("blocklists") {
        doctor.blocklists = zones(value, p);
    }
    if let Some(d) = table
        .remove("timeout")
        .and_then(|v| string(v, "doctor.timeout", p))
        .and_then(|text| duration("doctor.timeout", &text, p))
    {
        doctor.timeout = d;
    }
    unknown_keys("doctor", table, p);
    doctor
}

fn zones(value: Value, p: &mut Problems) -> Vec<String> {
    strings(value, "doctor.blocklists", p)
        .into_iter()
        .filter_map(|(key, zone)| match domain_problem(&zone) {
            Some(why) => {
                p.push(&key, why);
                None
            }
            None => Some(zone.to_ascii_lowercase()),
        })
        .collect()
}

/// The `[doctor]` keys of the annotated file, with `config`'s values.
pub(crate) fn doctor_entries(config: &crate::Config) -> Vec<Entry> {
    let doctor = &config.doctor;
    let entry = |key, doc, value: Option<Value>, example: Value| Entry {
        section: "doctor",
        key,
        doc: std::borrow::Cow::Borrowed(doc),
        example,
        value,
    };
    let zones = Value::Array(
        doctor
            .blocklists
            .iter()
            .cloned()
            .map(Value::String)
            .collect(),
    );
    vec![
        entry(
            "port25_test_host",
            "\"host:port\" the outbound port-25 test connects to. Default: the first MX host\n\
             of port25_test_domain, port 25.",
            doctor.port25_test_host.clone().map(Value::String),
            Value::String("mx.example.com:25".into()),
        ),
        entry(
            "port25_test_domain",
            "The domain whose MX host the port-25 test connects to.",
            Some(Value::String(doctor.port25_test_domain.clone())),
            Value::String("gmail.com".into()),
        ),
        entry(
            "blocklists",
            "DNS blocklist zones the public IPv4 and IPv6 addresses are checked in; [] to skip.",
            Some(zones.clone()),
            zones,
        ),
        entry(
            "timeout",
            "Longest wait for one connection, reply or HTTP request. Default: \"10s\".",
            Some(Value::String(crate::format_duration(doctor.timeout))),
            Value::String("10s".into()),
        ),
    ]
}
