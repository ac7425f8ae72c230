//! One table-driven test per kind of problem, then problems reported together.

use std::path::Path;

use super::*;

fn problems(text: &str) -> Vec<Problem> {
    match parse(text) {
        Ok(config) => panic!("expected problems, parsed {config:?}"),
        Err(problems) => problems,
    }
}

#[test]
fn each_kind_of_problem_is_reported_with_its_key() {
    let cases: &[(&str, &str, &str)] = &[
        // Unknown keys, with a suggestion when the spelling is close.
        (
            "[limits]\nmax_mesage_size = 2048",
            "limits.max_mesage_size",
            "unknown key `limits.max_mesage_size`, did you mean `max_message_size`?",
        ),
        ("colour = 1", "colour", "unknown key `colour`"),
        (
            "[limit]\nx = 1",
            "limit",
            "unknown key `limit`, did you mean `limits`?",
        ),
        (
            "[listen]\nmanagesieve = []",
            "listen.managesieve",
            "unknown key `listen.managesieve`",
        ),
        (
            "max_message_size = 2048",
            "max_message_size",
            "unknown key `max_message_size`, did you mean `limits.max_message_size`?",
        ),
        (
            "[tls]\ncertificate = \"/x\"",
            "tls.certificate",
            "unknown key `tls.certificate`",
        ),
        // Wrong types.
        (
            "[limits]\nmax_message_size = \"50M\"",
            "limits.max_message_size",
            "expected an integer, found a string",
        ),
        (
            "[limits]\nmax_errors = 2.5",
            "limits.max_errors",
            "expected an integer, found a float",
        ),
        (
            "hostname = 5",
            "hostname",
            "expected a string, found an integer",
        ),
        (
            "listen = 25",
            "listen",
            "expected a table, found an integer",
        ),
        (
            "[listen]\nsmtp = \"0.0.0.0:25\"",
            "listen.smtp",
            "expected an array of \"ip:port\" strings, found a string",
        ),
        (
            "[listen]\nsmtp = [25]",
            "listen.smtp[0]",
            "expected a string, found an integer",
        ),
        (
            "[tls]\ncert = true\nkey = \"/k\"",
            "tls.cert",
            "expected a string, found a boolean",
        ),
        // Bad values.
        (
            "[listen]\nsmtp = [\"0.0.0.0:99999\"]",
            "listen.smtp[0]",
            "`0.0.0.0:99999` is not an ip:port address",
        ),
        (
            "[listen]\nsmtp = [\"127.0.0.1:25\", \"localhost:25\"]",
            "listen.smtp[1]",
            "`localhost:25` is not an ip:port address",
        ),
        (
            "[listen]\nsmtp = [\"0.0.0.0:25\"]\nsubmission = [\"0.0.0.0:25\"]",
            "listen.submission[0]",
            "0.0.0.0:25 is already used by listen.smtp[0]",
        ),
        ("hostname = \"\"", "hostname", "must not be empty"),
        (
            "hostname = \"mail_server.example\"",
            "hostname",
            "`mail_server.example` is not a valid domain name (`_` is not allowed; use letters, digits, hyphens and dots)",
        ),
        (
            "hostname = \"mail..example\"",
            "hostname",
            "`mail..example` is not a valid domain name (empty label)",
        ),
        (
            "hostname = \"-mail.example\"",
            "hostname",
            "`-mail.example` is not a valid domain name (a label starts or ends with a hyphen)",
        ),
        (
            "[tls]\ncert = \"\"\nkey = \"/k\"",
            "tls.cert",
            "must not be empty; remove the key to leave it unset",
        ),
        // Ranges.
        (
            "[limits]\nmax_message_size = 1023",
            "limits.max_message_size",
            "must be between 1024 and 2147483648 (1 KiB to 2 GiB), found 1023",
        ),
        (
            "[limits]\nmax_message_size = 2147483649",
            "limits.max_message_size",
            "must be between 1024 and 2147483648 (1 KiB to 2 GiB), found 2147483649",
        ),
        (
            "[limits]\nmax_line_length = 511",
            "limits.max_line_length",
            "must be at least 512 (RFC 5321 §4.5.3.1.4), found 511",
        ),
        (
            "[limits]\ncommand_timeout_secs = 0",
            "limits.command_timeout_secs",
            "must be at least 1, found 0",
        ),
        (
            "[limits]\ndata_timeout_secs = -5",
            "limits.data_timeout_secs",
            "must be at least 1, found -5",
        ),
        (
            "[limits]\nmax_recipients = 0",
            "limits.max_recipients",
            "must be at least 1, found 0",
        ),
        (
            "[limits]\nmax_errors = 4294967296",
            "limits.max_errors",
            "must be between 1 and 4294967295, found 4294967296",
        ),
        (
            "[limits]\nmax_connections = 0",
            "limits.max_connections",
            "must be at least 1, found 0",
        ),
        (
            "[limits]\nmax_connections_per_ip = 0",
            "limits.max_connections_per_ip",
            "must be at least 1, found 0",
        ),
        // Cert and key go together.
        (
            "[tls]\ncert = \"/c.pem\"",
            "tls.key",
            "missing: tls.cert is set, so tls.key (its private key) must be set too",
        ),
        (
            "[tls]\nkey = \"/k.pem\"",
            "tls.cert",
            "missing: tls.key is set, so tls.cert (its certificate) must be set too",
        ),
    ];
    for (text, key, message) in cases {
        let found = problems(text);
        assert_eq!(
            found,
            vec![Problem {
                key: key.to_string(),
                message: message.to_string()
            }],
            "for {text:?}"
        );
    }
}

#[test]
fn invalid_toml_is_one_problem_with_line_and_column() {
    let found = problems("hostname = \"a.example\"\n[limits]\nmax_errors = = 3\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].key.starts_with("line 3, column "), "{found:?}");
    assert!(found[0].message.starts_with("invalid TOML: "), "{found:?}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "\
hostname = \"bad host\"
[listen]
smtp = [\"0.0.0.0:99999\", \"nope\"]
[tls]
cert = \"/c.pem\"
[limits]
max_mesage_size = 1
max_line_length = 100
command_timeout_secs = \"soon\"
";
    let keys: Vec<String> = problems(text).into_iter().map(|p| p.key).collect();
    assert_eq!(
        keys,
        [
            "hostname",
            "listen.smtp[0]",
            "listen.smtp[1]",
            "tls.key",
            "limits.max_line_length",
            "limits.command_timeout_secs",
            "limits.max_mesage_size",
        ]
    );
    let err = Config::parse(text, Path::new("postroom.toml")).expect_err("invalid");
    let display = err.to_string();
    assert!(
        display.starts_with("postroom.toml has 7 problems:\n  hostname: "),
        "{display}"
    );
    assert_eq!(display.lines().count(), 8, "{display}");
}

#[test]
fn missing_sections_and_keys_take_defaults() {
    let config = parse("hostname = \"mail.example.test\"").expect("valid");
    assert_eq!(config.hostname, "mail.example.test");
    assert_eq!(config.listen, Listen::default());
    assert_eq!(config.tls, Tls::default());
    assert_eq!(config.limits, Limits::default());
}

#[test]
fn an_empty_file_uses_the_system_host_name() {
    let config = parse("").expect("valid");
    assert_eq!(config.hostname, crate::system_hostname());
}

#[test]
fn the_documented_example_parses() {
    let text = "\
hostname = \"mail.example.test\"
[listen]
smtp = [\"0.0.0.0:25\"]
submission = [\"0.0.0.0:587\", \"[::]:587\"]
submissions = []
[tls]
cert = \"/path/fullchain.pem\"
key = \"/path/privkey.pem\"
[limits]
max_message_size = 52428800
max_recipients = 50
";
    let config = parse(text).expect("valid");
    assert_eq!(
        config.listen.smtp,
        vec!["0.0.0.0:25".parse::<SocketAddr>().expect("addr")]
    );
    assert_eq!(config.listen.submission.len(), 2);
    assert!(config.listen.submissions.is_empty());
    assert_eq!(config.tls.cert, Some(PathBuf::from("/path/fullchain.pem")));
    assert_eq!(config.limits.max_recipients, 50);
    assert_eq!(
        config.limits.max_line_length,
        Limits::default().max_line_length
    );
}

#[test]
fn edit_distance_counts_single_edits() {
    assert_eq!(edit_distance("max_mesage_size", "max_message_size"), 1);
    assert_eq!(edit_distance("smpt", "smtp"), 2);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("same", "same"), 0);
}

#[test]
fn domain_names_follow_rfc_1123() {
    for ok in ["localhost", "mail.example.test", "a-b.c0", "123.example"] {
        assert_eq!(domain_problem(ok), None, "{ok}");
    }
    let long_label = "a".repeat(64);
    for bad in [
        "",
        "a..b",
        "a.",
        "-a",
        "a-",
        "a b",
        "ü.example",
        "[192.0.2.1]",
        long_label.as_str(),
    ] {
        assert!(domain_problem(bad).is_some(), "{bad}");
    }
}

#[test]
fn a_non_loopback_admin_bind_without_tls_is_refused_naming_the_key() {
    let found = problems("[listen]\nadmin = [\"127.0.0.1:8088\", \"0.0.0.0:8088\"]");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "listen.admin[1]");
    assert!(
        found[0].message.contains("needs TLS"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_non_loopback_admin_bind_with_tls_is_accepted() {
    let text = "[listen]\nadmin = [\"0.0.0.0:8088\"]\n[tls]\ncert = \"/c.pem\"\nkey = \"/k.pem\"";
    assert!(parse(text).is_ok(), "{:?}", parse(text).err());
}

#[test]
fn loopback_admin_binds_are_accepted_and_a_missing_key_is_off() {
    let config = parse("[listen]\nadmin = [\"127.0.0.1:8088\", \"[::1]:8088\"]").expect("valid");
    assert_eq!(config.listen.admin.len(), 2);
    let config = parse("").expect("valid");
    assert!(config.listen.admin.is_empty());
}
