//! MAIL FROM and its parameters: SIZE (RFC 1870 §6.1), SMTPUTF8 (RFC 6531), and the DSN
//! parameters RET, ENVID, NOTIFY, ORCPT (RFC 3461) kept on the queue rows.

use tests::{Server, python_ok};

#[test]
fn declared_size_over_the_limit_is_refused_552_at_mail() {
    let server = Server::with_limits(&["max_message_size = 4096"]);
    let out = python_ok(
        "smtp_mail_declared_size.py",
        &[&server.smtp.port().to_string()],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("552 b'5.3.4"), "{out}");
    assert!(lines[1].starts_with("250"), "{out}");
}

#[test]
fn utf8_addresses_are_accepted_with_smtputf8() {
    let server = Server::start();
    server.ok_stdin(
        &["account", "add", "张伟@example.test", "--password-stdin"],
        "Correct-Horse-9\n",
    );
    let script = "smtp_mail_smtputf8.py";
    assert_eq!(
        python_ok(script, &[&server.smtp.port().to_string()]).trim(),
        "OK"
    );
    server.mbox_with("张伟@example.test", &["<utf8-1@test>", "with UTF8SMTP"]);
}

#[test]
fn dsn_parameters_are_accepted_and_stored_on_queue_rows() {
    let server = Server::start();
    let out = python_ok("smtp_mail_dsn.py", &[&server.smtp.port().to_string()]);
    assert!(out.lines().all(|l| l.starts_with("250")), "{out}");
    let row =
        server.sql("SELECT recipient, notify, orcpt, envid, ret FROM queue WHERE sender != ''");
    assert_eq!(
        row,
        "carol@remote.test\tSUCCESS,FAILURE\trfc822;carol@example.test\tenv+id\tHDRS"
    );
}
