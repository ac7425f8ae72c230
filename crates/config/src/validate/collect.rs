//! Validation of `[[collect]]`. A password is never part of a problem's text: problems name
//! the key only.

use std::net::IpAddr;

use toml::{Table, Value};

use super::{Problems, domain_problem, path, string, wrong_type};
use crate::collect::{COLLECT_INTERVAL, Collect, CollectProtocol, CollectTarget, CollectTls};
use crate::{Secret, parse_duration};

/// The keys of one `[[collect]]`.
const COLLECT_KEYS: &[&str] = &[
    "protocol",
    "host",
    "port",
    "tls",
    "ca",
    "user",
    "password",
    "account",
    "mode",
    "fallback",
    "interval",
    "keep_days",
    "enabled",
];

pub(super) fn collect(root: &mut Table, p: &mut Problems) -> Vec<Collect> {
    super::items(root.remove("collect"), "collect", p, job)
}

fn job(mut table: Table, at: &str, p: &mut Problems) -> Option<Collect> {
    let before = p.0.len();
    let key = |name: &str| format!("{at}.{name}");
    let mut required = |name: &str, hint: &str, p: &mut Problems| -> Option<String> {
        match table.remove(name) {
            None => {
                p.push(&key(name), format!("missing: {hint}"));
                None
            }
            Some(value) => string(value, &key(name), p),
        }
    };
    let protocol = match required("protocol", "\"pop3\" or \"imap\"", p).as_deref() {
        Some("pop3") => Some(CollectProtocol::Pop3),
        Some("imap") => Some(CollectProtocol::Imap),
        Some(other) => {
            p.push(
                &key("protocol"),
                format!("`{other}` is not one of \"pop3\", \"imap\""),
            );
            None
        }
        None => None,
    };
    let host = required("host", "the server's name, e.g. \"pop.isp.example\"", p);
    if let Some(host) = &host
        && host.parse::<IpAddr>().is_err()
        && let Some(why) = domain_problem(host)
    {
        p.push(&key("host"), why);
    }
    let user = required("user", "the login name at the outside server", p);
    // Never echo the value: the problem names the key only.
    let password = required("password", "the password at the outside server", p).map(Secret);
    // They go on command lines (RFC 1939 §7 USER/PASS, RFC 9051 §6.2.3 LOGIN): a line break
    // would end the command early.
    for (name, value) in [
        ("user", user.as_deref()),
        ("password", password.as_ref().map(|s| s.0.as_str())),
    ] {
        if value.is_some_and(|v| v.is_empty() || v.chars().any(char::is_control)) {
            p.push(
                &key(name),
                "must not be empty or hold control characters (line breaks, tabs)",
            );
        }
    }
    let tls = match table.remove("tls") {
        None => CollectTls::Implicit,
        Some(value) => match string(value, &key("tls"), p).as_deref() {
            Some("implicit") => CollectTls::Implicit,
            Some("starttls") => CollectTls::Starttls,
            Some("none") => CollectTls::None,
            Some(other) => {
                p.push(
                    &key("tls"),
                    format!("`{other}` is not one of \"implicit\", \"starttls\", \"none\""),
                );
                CollectTls::Implicit
            }
            None => CollectTls::Implicit,
        },
    };
    let mut integer = |name: &str, min: i64, max: i64, p: &mut Problems| -> Option<i64> {
        let value = table.remove(name)?;
        let Value::Integer(n) = value else {
            wrong_type(&key(name), "an integer", &value, p);
            return None;
        };
        if n < min || n > max {
            p.push(
                &key(name),
                format!("must be between {min} and {max}, found {n}"),
            );
            return None;
        }
        Some(n)
    };
    let port = integer("port", 1, 65_535, p).and_then(|n| u16::try_from(n).ok());
    let keep_days = integer("keep_days", 0, 36_500, p).and_then(|n| u32::try_from(n).ok());
    let ca = table.remove("ca").and_then(|v| path(v, &key("ca"), p));
    let interval = match table.remove("interval") {
        None => COLLECT_INTERVAL,
        Some(value) => match string(value, &key("interval"), p) {
            Some(text) => match parse_duration(&text) {
                Some(d) if !d.is_zero() => d,
                _ => {
                    p.push(
                        &key("interval"),
                        format!("`{text}` is not a duration like \"30s\", \"5m\" or \"1h\""),
                    );
                    COLLECT_INTERVAL
                }
            },
            None => COLLECT_INTERVAL,
        },
    };
    let enabled = match table.remove("enabled") {
        None => true,
        Some(Value::Boolean(b)) => b,
        Some(other) => {
            wrong_type(&key("enabled"), "true or false", &other, p);
            true
        }
    };
    let target = target(&mut table, at, p);
    for (name, _) in table {
        let mut message = format!("unknown key `{at}.{name}`");
        if let Some(known) = COLLECT_KEYS
            .iter()
            .find(|k| super::edit_distance(&name, k) <= 2)
        {
            message.push_str(&format!(", did you mean `{known}`?"));
        }
        p.push(&key(&name), message);
    }
    let (protocol, host, user, password, target) = (protocol?, host?, user?, password?, target?);
    (p.0.len() == before).then(|| Collect {
        port: port.unwrap_or_else(|| Collect::default_port(protocol, tls)),
        protocol,
        host: host.to_ascii_lowercase(),
        tls,
        ca,
        user,
        password,
        target,
        interval,
        keep_days,
        enabled,
    })
}

/// `account = "..."`, or `mode = "domain"` with `fallback = "..."`.
fn target(table: &mut Table, at: &str, p: &mut Problems) -> Option<CollectTarget> {
    let mut address = |name: &str, p: &mut Problems| -> Option<String> {
        let key = format!("{at}.{name}");
        let text = string(table.remove(name)?, &key, p)?;
        let text = text.trim().to_ascii_lowercase();
        match text.split_once('@') {
            Some((local, domain)) if !local.is_empty() && domain_problem(domain).is_none() => {
                Some(text)
            }
            _ => {
                p.push(
                    &key,
                    format!("`{text}` is not a local account address like \"alice@example.com\""),
                );
                None
            }
        }
    };
    let account = address("account", p);
    let fallback = address("fallback", p);
    let mode = table
        .remove("mode")
        .and_then(|v| string(v, &format!("{at}.mode"), p));
    match mode.as_deref() {
        None | Some("account") => {
            if fallback.is_some() {
                p.push(
                    &format!("{at}.fallback"),
                    "only used with mode = \"domain\"; remove it or set mode = \"domain\"",
                );
            }
            if account.is_none() {
                p.push(
                    &format!("{at}.account"),
                    "missing: the local account that gets the mail (or mode = \"domain\" with \
                     fallback)",
                );
            }
            account.map(CollectTarget::Account)
        }
        Some("domain") => {
            if account.is_some() {
                p.push(
                    &format!("{at}.account"),
                    "not used with mode = \"domain\": mail is sorted by its recipients; set \
                     fallback for the rest",
                );
            }
            if fallback.is_none() {
                p.push(
                    &format!("{at}.fallback"),
                    "missing: the local account that gets mail for no known local recipient",
                );
            }
            fallback.map(|fallback| CollectTarget::Domain { fallback })
        }
        Some(other) => {
            p.push(
                &format!("{at}.mode"),
                format!("`{other}` is not one of \"account\", \"domain\""),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Config;
    use crate::collect::{CollectProtocol, CollectTarget, CollectTls};

    use crate::parse_for_test as parse;

    #[test]
    fn collect_jobs_parse_with_defaults() {
        let config = parse(
            "[[collect]]\nprotocol = \"pop3\"\nhost = \"pop.isp.test\"\nuser = \"u\"\n\
             password = \"p\"\naccount = \"Alice@Example.test\"\n\
             [[collect]]\nprotocol = \"imap\"\nhost = \"127.0.0.1\"\nport = 1143\n\
             tls = \"starttls\"\nca = \"/ca.pem\"\nuser = \"u\"\npassword = \"p\"\n\
             mode = \"domain\"\nfallback = \"bob@example.test\"\ninterval = \"30s\"\n\
             keep_days = 0\nenabled = false\n",
        )
        .expect("valid");
        let [pop, imap] = &config.collect[..] else {
            panic!("two jobs: {:?}", config.collect);
        };
        assert_eq!(pop.protocol, CollectProtocol::Pop3);
        assert_eq!((pop.port, pop.tls), (995, CollectTls::Implicit));
        assert_eq!(
            pop.target,
            CollectTarget::Account("alice@example.test".into())
        );
        assert_eq!((pop.keep_days, pop.enabled), (None, true));
        assert_eq!(pop.interval.as_secs(), 300);
        assert_eq!((imap.port, imap.tls), (1143, CollectTls::Starttls));
        assert_eq!(
            imap.target,
            CollectTarget::Domain {
                fallback: "bob@example.test".into()
            }
        );
        assert_eq!((imap.keep_days, imap.enabled), (Some(0), false));
        assert_eq!(imap.label(), "imap://u@127.0.0.1:1143");
    }

    #[test]
    fn collect_problems_name_their_key_and_never_the_password() {
        let err = parse(
            "[[collect]]\nprotocol = \"smtp\"\nhost = \"bad host\"\nuser = \"u\"\n\
             password = \"s3cret-pw\"\naccount = \"nobody\"\nport = 0\ntls = \"ssl\"\n\
             interval = \"soon\"\nkeep_days = -1\nenabld = true\n\
             [[collect]]\nprotocol = \"imap\"\nhost = \"h.test\"\nuser = \"u\"\n\
             password = \"s3cret-pw\"\nmode = \"domain\"\naccount = \"a@b.test\"\n\
             [[collect]]\nprotocol = \"pop3\"\nhost = \"h.test\"\nuser = \"u\"\n\
             [[collect]]\nprotocol = \"pop3\"\nhost = \"h.test\"\nuser = \"u\\r\\nDELE 1\"\n\
             password = \"s3cret-pw\\n\"\naccount = \"a@b.test\"\n",
        )
        .expect_err("invalid");
        crate::assert_problems_name(
            &err,
            &[
                "collect[0].protocol: `smtp`",
                "collect[0].host:",
                "collect[0].account: `nobody`",
                "collect[0].port: must be between 1",
                "collect[0].tls: `ssl`",
                "collect[0].interval: `soon`",
                "collect[0].keep_days: must be between 0",
                "collect[0].enabld: unknown key `collect[0].enabld`, did you mean `enabled`?",
                "collect[1].account: not used with mode = \"domain\"",
                "collect[1].fallback: missing",
                "collect[2].password: missing",
                "collect[2].account: missing",
                "collect[3].user: must not be empty or hold control characters",
                "collect[3].password: must not be empty or hold control characters",
            ],
            "s3cret-pw",
        );
    }

    #[test]
    fn collect_jobs_round_trip_through_the_annotated_file() {
        let config = parse(
            "[[collect]]\nprotocol = \"imap\"\nhost = \"imap.isp.test\"\ntls = \"none\"\n\
             user = \"o\\\"ffice\"\npassword = \"p\\\"w\"\nmode = \"domain\"\n\
             fallback = \"bob@example.test\"\ninterval = \"2h\"\nkeep_days = 14\n\
             enabled = false\nca = \"/etc/ca.pem\"\n",
        )
        .expect("valid");
        let text = config.to_annotated_toml();
        assert_eq!(parse(&text).expect("round trip"), config, "{text}");
        let empty = Config::with_hostname("x.test").to_annotated_toml();
        assert!(empty.contains("# [[collect]]\n"), "{empty}");
    }
}
