//! The `postroom` command-line contract: admin commands, their errors (one line, exit 1), and
//! changes taking effect at once while `serve` runs.

use tests::{Options, PASSWORD, Server, SmtpConn, python_ok};

/// [`fails_as`] without input, the arguments naming the case.
fn fails_with(server: &Server, args: &[&str], needle: &str) {
    fails_as(server, &format!("{args:?}"), args, None, needle);
}

/// The command fails with exit code 1 and one line naming `needle`; `case` names the attempt
/// in the failure messages.
fn fails_as(server: &Server, case: &str, args: &[&str], stdin: Option<&str>, needle: &str) {
    let out = server.cli(args, stdin);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{case} should fail: {err}");
    assert_eq!(
        err.trim().lines().count(),
        1,
        "{case}: one line expected: {err}"
    );
    assert!(err.contains(needle), "{case}: expected {needle:?} in {err}");
}

#[test]
fn domain_add_list_remove() {
    let server = Server::with(Options {
        empty: true,
        ..Options::default()
    });
    server.ok(&["domain", "add", "Example.TEST"]);
    server.ok(&["domain", "add", "other.test"]);
    assert_eq!(server.ok(&["domain", "list"]), "example.test\nother.test\n");
    fails_with(&server, &["domain", "add", "example.test"], "already");
    server.ok(&["domain", "remove", "other.test"]);
    assert_eq!(server.ok(&["domain", "list"]), "example.test\n");
    fails_with(&server, &["domain", "remove", "nope.test"], "nope.test");
    fails_with(&server, &["domain", "add", "not a domain"], "not a domain");
}

#[test]
fn account_errors_are_one_clear_line() {
    let server = Server::start();
    let add = |address| ["account", "add", address, "--password-stdin"];
    // (case, arguments, password on stdin, what the one line names)
    let cases: [(&str, [&str; 4], &str, &str); 6] = [
        (
            "unknown domain",
            add("x@unknown.test"),
            "Good-pass-123\n",
            "unknown.test",
        ),
        (
            "existing account",
            add("alice@example.test"),
            "Good-pass-123\n",
            "already",
        ),
        ("empty password", add("new@example.test"), "\n", "empty"),
        ("short password", add("new@example.test"), "short\n", "8"),
        (
            "common password",
            add("new@example.test"),
            "password\n",
            "common",
        ),
        (
            "not an address",
            add("not-an-address"),
            "Good-pass-123\n",
            "address",
        ),
    ];
    for (case, args, password, needle) in cases {
        fails_as(&server, case, &args, Some(password), needle);
    }
    fails_with(
        &server,
        &["account", "remove", "ghost@example.test"],
        "ghost@example.test",
    );
    fails_with(&server, &["domain", "remove", "example.test"], "account");
}

#[test]
fn account_and_alias_lists() {
    let server = Server::start();
    assert_eq!(
        server.ok(&["account", "list"]),
        "alice@example.test\nbob@example.test\ndave@example.test\n"
    );
    let aliases = server.ok(&["alias", "list"]);
    assert!(
        aliases.contains("sales@example.test -> alice@example.test, bob@example.test"),
        "{aliases}"
    );
    assert!(
        aliases.contains("@catchall.test -> bob@example.test"),
        "{aliases}"
    );
    server.ok(&["alias", "remove", "sales@example.test"]);
    assert!(!server.ok(&["alias", "list"]).contains("sales@"));
    fails_with(
        &server,
        &["alias", "add", "x@nowhere.test", "alice@example.test"],
        "nowhere.test",
    );
}

#[test]
fn changes_take_effect_at_once_while_serving() {
    let server = Server::start();
    let mut c = SmtpConn::greeted(server.smtp);
    c.cmd("MAIL FROM:<a@outside.test>");
    c.expect("RCPT TO:<zed@example.test>", "550");
    server.ok_stdin(
        &["account", "add", "zed@example.test", "--password-stdin"],
        "Zed-password-1\n",
    );
    c.expect("RCPT TO:<zed@example.test>", "250");
    server.ok(&["account", "remove", "bob@example.test"]);
    c.expect("RCPT TO:<bob@example.test>", "550");
    server.ok(&["domain", "add", "new.test"]);
    server.ok(&["alias", "add", "@new.test", "zed@example.test"]);
    c.expect("RCPT TO:<anyone@new.test>", "250");
}

#[test]
fn passwd_changes_the_password_for_auth() {
    let server = Server::start();
    server.ok_stdin(
        &[
            "account",
            "passwd",
            "alice@example.test",
            "--password-stdin",
        ],
        "New-secret-77\r\n",
    );
    let out = python_ok(
        "admin_cli_passwd_auth.py",
        &[
            &server.submissions.port().to_string(),
            PASSWORD,
            "New-secret-77",
        ],
    );
    assert_eq!(out, "535\n235\n");
}

#[test]
fn export_writes_an_mbox_that_python_reads() {
    let server = Server::start();
    let mut c = SmtpConn::in_transaction(server.smtp, "alice@example.test");
    c.data(b"Subject: mbox\r\nMessage-ID: <mbox-1@test>\r\n\r\nFrom the start\r\n>From quoted\r\n.\r\n", "250");
    let file = server.data_dir().join("alice.mbox");
    let out = server.ok(&[
        "export",
        "alice@example.test",
        "--mbox",
        file.to_str().expect("path"),
    ]);
    assert!(out.contains('1'), "{out}");
    let out = python_ok("admin_cli_read_mbox.py", &[file.to_str().expect("path")]);
    // mboxrd quoting (one more `>` before any `>*From `), which Python reads as written.
    assert_eq!(
        out.trim(),
        "<mbox-1@test> '>From the start\\n>>From quoted\\n'"
    );
}

#[test]
fn a_config_with_several_mistakes_lists_them_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("postroom.toml"),
        "hostname = \"mx.example.test\"\n[listen]\nsmtp = [\"127.0.0.1:99999\"]\n[limits]\nmax_mesage_size = 10\nmax_line_length = \"long\"\n",
    )
    .expect("write");
    let out = std::process::Command::new(tests::binary())
        .arg("--data-dir")
        .arg(dir.path())
        .arg("serve")
        .output()
        .expect("postroom");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "listen.smtp[0]",
        "limits.max_mesage_size",
        "max_message_size",
        "limits.max_line_length",
    ] {
        assert!(err.contains(needle), "{needle} missing in {err}");
    }
}
