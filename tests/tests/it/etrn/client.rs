//! The ETRN client (RFC 1985): at start and whenever the public IP changes, the server asks
//! each `[[etrn]]` backup MX to send what it holds for our domains, and `GET /api/etrn`
//! shows each domain's answer. Backup MXes: a second Postroom instance holding deferred mail
//! (our own ETRN server), and a small in-test SMTP peer that records every command and
//! answers 458 for one domain. `tests/fixtures/ddns_peer.py` serves the changing IP-echo
//! answer.

use serde_json::Value;
use tests::etrn::{BackupMx, any_answer, any_entry, any_reply};

use tests::{Options, Server};

#[test]
fn etrn_is_sent_at_start_and_again_when_the_public_ip_changes() {
    let mx = BackupMx::start();
    let echo = tests::ddns::Peer::start("81.2.69.160", "2a00:1450:4001::1");
    // [ddns] asks the echo peer every second; the [[etrn]] entry follows it.
    let etrn = format!(
        "[[etrn]]\nhost = \"127.0.0.1\"\nport = {}\n\
         domains = [\"example.test\", \"other.test\"]\ntls = \"none\"\ninterval = \"1d\"\n",
        mx.addr.port(),
    );
    let (server, token) = tests::ddns::server(&echo, true, &etrn);
    let context = || format!("peer saw:\n{}\nserver log:\n{}", mx.dump(), server.log());

    // At start: EHLO, one ETRN per domain, QUIT.
    tests::ddns::wait_until(
        "ETRN at start",
        || mx.count("ETRN other.test") == 1,
        &context,
    );
    assert_eq!(mx.count("ETRN example.test"), 1, "{}", context());
    assert_eq!(mx.count("QUIT"), 1, "{}", context());
    let json = tests::etrn::status(&server, &token);
    assert!(any_entry(&json, "trigger", "start"), "{json}");
    assert!(any_entry(&json, "error", Value::Null), "{json}");
    assert!(any_answer(&json, "result", "started"), "{json}");
    assert!(any_answer(&json, "result", "refused"), "{json}");
    assert!(any_reply(&json, "458 4.0.0 Unable"), "{json}");

    // The watcher learns the first address (not a change), then the line gets a new one.
    tests::ddns::wait_until(
        "the first address seen",
        || tests::json(&tests::ddns::status(&server, &token))["ipv4"] == "81.2.69.160",
        &context,
    );
    echo.set("ip4", "81.2.69.161");
    tests::ddns::wait_until(
        "ETRN after the address change",
        || mx.count("ETRN example.test") == 2,
        &context,
    );
    tests::ddns::wait_until(
        "the status of the second run",
        || {
            any_entry(
                &tests::etrn::status(&server, &token),
                "trigger",
                "ip_change",
            )
        },
        &context,
    );
    assert!(
        tests::json(&tests::ddns::status(&server, &token))["ipv4"] == "81.2.69.161",
        "{}",
        context()
    );
}

#[test]
fn a_postroom_backup_mx_flushes_deferred_mail_when_asked() {
    // The office's server will listen on `port`; until it does, the backup defers its mail.
    // The backup answers ETRN only for the domains `[relay] etrn` names.
    let port = tests::peers::free_port(&["127.0.0.1"]);
    let backup = Server::with(Options {
        extra_toml: format!(
            "[relay]\netrn = [\"office.test\"]\n[queue]\nretry = [\"1h\"]\n\
             [[route]]\ndomains = [\"office.test\"]\n\
             relay = [\"127.0.0.1:{port}\"]\ntls = \"none\"\n"
        ),
        ..Options::default()
    });
    tests::peers::alice_sends(&backup, "boss@office.test", "etrn-client-1@test");
    tests::peers::wait_state(&backup, "boss@office.test", "deferred", 60);

    // The office's server: its own domain; the backup MX to ask comes with the restart below
    // (the backup answers one ETRN per domain a minute, so the office asks once, when it
    // listens where the backup delivers).
    let mut office = Server::with(Options {
        services: vec!["admin".into()],
        empty: true,
        ..Options::default()
    });
    office.ok(&["domain", "add", "office.test"]);
    office.ok_stdin(
        &["account", "add", "boss@office.test", "--password-stdin"],
        &format!("{}\n", tests::PASSWORD),
    );
    // Restarted on the port the backup delivers to.
    office.stop();
    let config = office.dir.path().join("postroom.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let text = text.replacen(
        "smtp = [\"127.0.0.1:0\"]",
        &format!("smtp = [\"127.0.0.1:{port}\"]"),
        1,
    ) + &format!(
        "\n[[etrn]]\nhost = \"127.0.0.1\"\nport = {}\ndomains = [\"office.test\"]\n\
         tls = \"none\"\n",
        backup.smtp.port()
    );
    std::fs::write(&config, text).expect("config");
    office.spawn();
    let token = office.ok(&["admin", "token"]).trim().to_string();
    let context = || {
        format!(
            "office log:\n{}\nbackup queue:\n{}",
            office.log(),
            backup.sql("SELECT recipient, state, attempts, last_reply FROM queue")
        )
    };

    // The ETRN at start makes the backup deliver at once (not in an hour).
    tests::ddns::wait_until(
        "the mail delivered to the office",
        || tests::peers::state_of(&backup, "boss@office.test") == "delivered",
        &context,
    );
    office.mbox_with("boss@office.test", &["Message-ID: <etrn-client-1@test>"]);
    tests::ddns::wait_until(
        "the status",
        || any_answer(&tests::etrn::status(&office, &token), "result", "started"),
        &context,
    );
    let json = tests::etrn::status(&office, &token);
    assert!(any_answer(&json, "domain", "office.test"), "{json}");
    assert!(any_reply(&json, "250"), "{json}");
}
