//! Collection never delivers a message twice when its remote id changes (issue #7), against
//! a private Dovecot: the IMAP mailbox's UIDVALIDITY changes (RFC 9051 §2.3.1.1: every UID
//! is new), and a POP3 job's host is edited from 127.0.0.1 to localhost (another job label,
//! the same mailbox). Both times, with mail left on the server, the messages are downloaded
//! again but recognised by content: recorded under their new ids, not delivered; new mail
//! after that arrives once.

use std::process::Command;

use tests::Server;
use tests::collect::{
    Dovecot, PASSWORD, expected_ids, message, office, postroom, status, unique_ids, wait_for,
};
use tests::ddns::api;

/// Gives the user's INBOX a new UIDVALIDITY with Dovecot's own tool (its private config).
fn change_uid_validity(dovecot: &Dovecot, user: &str, uid_validity: u64) {
    tests::run_ok(
        Command::new("doveadm")
            .arg("-c")
            .arg(dovecot.dir.path().join("dovecot.conf"))
            .args(["mailbox", "update", "-u", user, "--uid-validity"])
            .arg(uid_validity.to_string())
            .arg("INBOX"),
        "doveadm",
    );
}

/// The remote ids recorded for `job`, sorted.
fn recorded(server: &Server, job: &str) -> Vec<String> {
    let rows = server.sql(&format!(
        "SELECT remote_id FROM collected WHERE job = '{job}' ORDER BY remote_id"
    ));
    rows.lines().map(str::to_string).collect()
}

/// The number in the `skipped=N` of the log's duplicate lines, added up.
fn skipped_as_duplicates(server: &Server) -> u64 {
    server
        .log()
        .lines()
        .filter(|l| l.contains("not delivered again"))
        .filter_map(|l| {
            let at = l.find("skipped=")? + "skipped=".len();
            l[at..]
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

#[test]
fn a_new_uidvalidity_does_not_deliver_the_mailbox_again() {
    let dovecot = office(false, 0..20, "To: alice@example.test\n");
    let (server, token) = postroom(&format!(
        "[[collect]]\nprotocol = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
         user = \"office\"\npassword = \"{PASSWORD}\"\naccount = \"alice@example.test\"\n\
         interval = \"1s\"\n",
        dovecot.imap
    ));
    let label = format!("imap://office@127.0.0.1:{}", dovecot.imap);
    wait_for(&server, &token, 0, "the first 20", |s| {
        s.get("last_error") == "null" && s.number("fetched_total") == 20
    });
    let before = recorded(&server, &label);
    assert_eq!(before.len(), 20);
    let old: u64 = before[0]
        .split(':')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("UIDVALIDITY:UID");

    let new = old + 1000;
    change_uid_validity(&dovecot, "office", new);
    let prefix = format!("{new}:");
    let after = wait_for(&server, &token, 0, "the mailbox recorded again", |s| {
        s.get("last_error") == "null"
            && recorded(&server, &label)
                .iter()
                .filter(|id| id.starts_with(&prefix))
                .count()
                == 20
    });
    // Downloaded again, recorded under the new ids (the old ones forgotten), not delivered.
    assert_eq!(after.number("fetched_total"), 20);
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..20)
    );
    let ids = recorded(&server, &label);
    assert!(ids.iter().all(|id| id.starts_with(&prefix)), "{ids:?}");
    assert_eq!(ids.len(), 20);
    assert_eq!(skipped_as_duplicates(&server), 20);

    // New mail after the change arrives, once.
    dovecot.put("office", 20, &message(20, "To: alice@example.test\n"));
    let done = wait_for(&server, &token, 0, "the new message", |s| {
        s.number("fetched_total") == 21
    });
    let runs = done.number("runs");
    wait_for(&server, &token, 0, "two more runs", |s| {
        s.number("runs") >= runs + 2
    });
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..21)
    );
    assert_eq!(status(&server, &token, 0).number("fetched_total"), 21);
    assert_eq!(skipped_as_duplicates(&server), 20);
    assert_eq!(dovecot.count("office"), 21, "left on the server");
}

/// A POP3 job as JSON (leave on server).
fn pop3_job(host: &str, port: u16, password: &str) -> String {
    format!(
        r#"{{"protocol":"pop3","host":"{host}","port":{port},"tls":"none","user":"office","password":"{password}","account":"alice@example.test","interval":"1h"}}"#
    )
}

#[test]
fn a_job_pointed_at_another_name_of_its_server_does_not_deliver_the_mailbox_again() {
    let dovecot = office(false, 0..10, "");
    let (server, token) = postroom("");
    let (code, text) = api(
        &server,
        &token,
        "POST",
        "/api/collect",
        &pop3_job("127.0.0.1", dovecot.pop3, PASSWORD),
    );
    assert_eq!(code, 200, "{text}");
    wait_for(&server, &token, 0, "the first 10", |s| {
        s.get("last_error") == "null" && s.number("fetched_total") == 10
    });
    let old = format!("pop3://office@127.0.0.1:{}", dovecot.pop3);
    assert_eq!(recorded(&server, &old).len(), 10);

    // Another name of the same server: a new job label. The password is given again: a
    // stored secret is never sent to a host other than the one it was entered for.
    let edited = pop3_job("localhost", dovecot.pop3, PASSWORD);
    let (code, text) = api(&server, &token, "PUT", "/api/collect/0", &edited);
    assert_eq!(code, 200, "{text}");
    let new = format!("pop3://office@localhost:{}", dovecot.pop3);
    let after = wait_for(&server, &token, 0, "the edited job's run", |s| {
        s.get("label") == new && s.number("runs") >= 1
    });
    assert_eq!(after.get("last_error"), "null");
    assert_eq!(after.number("fetched"), 0);
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..10)
    );
    assert_eq!(skipped_as_duplicates(&server), 10);
    // The records moved to the new label: the old job is gone from the config.
    assert_eq!(recorded(&server, &new).len(), 10);
    assert!(recorded(&server, &old).is_empty());

    // New mail: collected once; the ten are not downloaded again.
    dovecot.put("office", 10, &message(10, ""));
    let (code, text) = api(&server, &token, "POST", "/api/collect/0/run", "");
    assert_eq!(code, 200, "{text}");
    wait_for(&server, &token, 0, "run now", |s| s.number("runs") >= 2);
    let s = status(&server, &token, 0);
    assert_eq!(s.get("last_error"), "null");
    assert_eq!(s.number("fetched_total"), 1);
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids(0..11)
    );
    assert_eq!(skipped_as_duplicates(&server), 10);
    assert_eq!(dovecot.count("office"), 11, "left on the server");
}
