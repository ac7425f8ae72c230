//! Retries, bounces and notices against aiosmtpd peers that misbehave on purpose: 451 then
//! 250, 550, a connection dropped after the data, a peer that never accepts (delay notice,
//! then failure at give_up_after), and queue control from the CLI while `serve` runs.

use std::time::Duration;

use tests::peers::{
    Remote, alice_sends, message, queue_show, state_of, submit, wait_state, wait_until,
};

#[test]
fn a_451_is_retried_and_then_delivered() {
    let remote = Remote::start(
        "127.0.0.21",
        "later.test",
        &["--data-replies", "451 4.3.0 Busy, later"],
    );
    let server = remote.server("retry = [\"1s\"]", "");
    alice_sends(&server, "dan@later.test", "r451@test");
    let got = remote.peer.wait_messages(1, Duration::from_secs(30));
    assert!(got[0].1.contains("Message-ID: <r451@test>"), "{}", got[0].1);
    wait_state(&server, "dan@later.test", "delivered", 10);
    let shown = queue_show(&server, "dan@later.test");
    // Two attempts in the history: deferred with the peer's reply, then delivered.
    assert!(
        shown.contains("deferred") && shown.contains("451 4.3.0 Busy, later"),
        "{shown}"
    );
    assert_eq!(
        server.sql(
            "SELECT count(*) FROM queue_attempts WHERE queue_id = \
             (SELECT id FROM queue WHERE recipient = 'dan@later.test')"
        ),
        "2"
    );
    // A deferral within delay_notice_after tells the sender nothing.
    assert!(!server.export("alice@example.test").contains("Action:"));
}

#[test]
fn a_550_fails_and_the_dsn_lands_in_the_local_senders_inbox() {
    let remote = Remote::start(
        "127.0.0.22",
        "strict.test",
        &["--rcpt-reply", "550 5.1.1 No such user here"],
    );
    let server = remote.server("retry = [\"1s\"]", "");
    submit(
        &server,
        "alice@example.test",
        &["nobody@strict.test"],
        &message(
            "alice@example.test",
            "nobody@strict.test",
            "r550@test",
            "bounce me",
        ),
        &["RET=FULL", "ENVID=track-550"],
        &["NOTIFY=FAILURE"],
    );
    wait_state(&server, "nobody@strict.test", "failed", 30);
    wait_until(Duration::from_secs(10), "the DSN", || {
        server
            .export("alice@example.test")
            .contains("Action: failed")
    });
    let inbox = server.export("alice@example.test");
    tests::assert_contains_all(
        &inbox,
        &[
            "Subject: Undelivered Mail Returned to Sender",
            "report-type=\"delivery-status\"",
            "Final-Recipient: rfc822; nobody@strict.test",
            "Status: 5.1.1",
            "Diagnostic-Code: smtp; 550 5.1.1 No such user here",
            "Original-Envelope-Id: track-550",
            // RET=FULL: the whole message comes back.
            "Message-ID: <r550@test>",
            "Hello from the queue test.",
        ],
    );
    // The DSN came from <> and was delivered locally: no queue row for it, no loop.
    assert_eq!(
        server.sql("SELECT count(*) FROM queue WHERE sender = ''"),
        "0"
    );
    assert!(
        inbox.contains("From MAILER-DAEMON "),
        "mbox separator names <>: {inbox}"
    );
}

#[test]
fn a_connection_dropped_after_the_data_is_retried() {
    let remote = Remote::start("127.0.0.23", "flaky.test", &["--drop-first-data"]);
    let server = remote.server("retry = [\"1s\"]", "");
    alice_sends(&server, "eve@flaky.test", "drop@test");
    let got = remote.peer.wait_messages(1, Duration::from_secs(30));
    assert!(got[0].1.contains("Message-ID: <drop@test>"));
    wait_state(&server, "eve@flaky.test", "delivered", 10);
    assert!(
        remote.peer.events().contains("dropping the connection"),
        "{}",
        remote.peer.events()
    );
    let id = server.sql("SELECT id FROM queue WHERE recipient = 'eve@flaky.test'");
    let first = server.sql(&format!(
        "SELECT outcome || ' ' || reply FROM queue_attempts WHERE queue_id = {id} ORDER BY id LIMIT 1"
    ));
    assert!(
        first.starts_with("deferred") && first.contains("connection"),
        "{first}"
    );
}

#[test]
fn a_peer_that_never_accepts_gets_one_delay_notice_then_a_failure() {
    let remote = Remote::start(
        "127.0.0.24",
        "full.test",
        &["--data-always", "452 4.2.2 Mailbox full"],
    );
    let server = remote.server(
        "retry = [\"1s\"]\ndelay_notice_after = \"1s\"\ngive_up_after = \"5s\"",
        "",
    );
    alice_sends(&server, "fay@full.test", "full@test");
    wait_state(&server, "fay@full.test", "failed", 40);
    wait_until(Duration::from_secs(10), "the failure DSN", || {
        server
            .export("alice@example.test")
            .contains("Action: failed")
    });
    let inbox = server.export("alice@example.test");
    assert_eq!(
        inbox.matches("Action: delayed").count(),
        1,
        "one delay notice:\n{inbox}"
    );
    assert!(inbox.contains("Will-Retry-Until:"), "{inbox}");
    assert!(inbox.contains("Status: 4.2.2"), "{inbox}");
    assert_eq!(inbox.matches("Action: failed").count(), 1, "{inbox}");
    assert!(inbox.contains("gave up after 5s"), "{inbox}");
    let attempts: u32 = server
        .sql("SELECT attempts FROM queue WHERE recipient = 'fay@full.test'")
        .parse()
        .expect("number");
    assert!(attempts >= 2, "retried before giving up: {attempts}");
}

#[test]
fn queue_hold_release_retry_and_delete_work_while_serve_runs() {
    // 451 for the first three attempts (gus, hal, gus again), then accepted.
    let remote = Remote::start(
        "127.0.0.25",
        "ctl.test",
        &[
            "--data-replies",
            "451 4.3.0 one|451 4.3.0 two|451 4.3.0 three",
        ],
    );
    let server = remote.server("retry = [\"1h\"]", "");
    alice_sends(&server, "gus@ctl.test", "ctl-1@test");
    alice_sends(&server, "hal@ctl.test", "ctl-2@test");
    wait_state(&server, "gus@ctl.test", "deferred", 20);
    wait_state(&server, "hal@ctl.test", "deferred", 20);
    let gus = server.sql("SELECT id FROM queue WHERE recipient = 'gus@ctl.test'");
    let hal = server.sql("SELECT id FROM queue WHERE recipient = 'hal@ctl.test'");

    let text = server.ok(&["queue", "list", "--json"]);
    let rows = tests::json(&text);
    assert!(tests::admin::has(&rows, "state", "deferred"), "{text}");

    // Delete one; hold the other, so retrying everything sends nothing.
    server.ok(&["queue", "delete", &hal]);
    server.ok(&["queue", "hold", &gus]);
    assert_eq!(state_of(&server, "gus@ctl.test"), "held");
    // Nothing is made due (the deleted entry is gone, the held one stays held), so nothing
    // can be sent: the count says so without waiting to see that nothing happens.
    let out = server.ok(&["queue", "retry", "--all"]);
    assert!(out.contains("0 entries due now"), "{out}");
    assert_eq!(state_of(&server, "gus@ctl.test"), "held");
    // Retrying a held entry is refused with a reason.
    let out = server.cli(&["queue", "retry", &gus], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("held"));

    // Released: tried at once (and refused: the peer's third 451); retried now: delivered.
    server.ok(&["queue", "release", &gus]);
    wait_until(Duration::from_secs(15), "the attempt after release", || {
        server.sql(&format!("SELECT attempts FROM queue WHERE id = {gus}")) == "2"
    });
    wait_state(&server, "gus@ctl.test", "deferred", 5);
    server.ok(&["queue", "retry", &gus]);
    wait_state(&server, "gus@ctl.test", "delivered", 15);
    let got = remote.peer.messages();
    assert_eq!(got.len(), 1, "only the kept message arrives");
    assert!(got[0].1.contains("<ctl-1@test>"));
    assert!(server.ok(&["queue", "list"]).contains("the queue is empty"));
    assert!(server.ok(&["queue", "list", "--all"]).contains("delivered"));
}
