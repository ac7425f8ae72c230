//! Moving in (issue #18's contract): `postroom --data-dir DIR import mbox FILE --to ADDRESS`
//! imports into the account's INBOX and prints how many messages it imported; Maildir and
//! `.eml` likewise. Flags and internal dates come along, and a second run adds nothing.

use std::collections::BTreeMap;

use tests::dovecot::Dovecot;
use tests::imap::server;

/// Each message of `mailbox` as `import_contents.py` (imaplib) prints it: flags without
/// \Recent, internal date and bytes, one JSON line each, sorted by the bytes.
fn contents(port: u16, user: &str, password: &str, mailbox: &str) -> Vec<serde_json::Value> {
    let out = tests::python_ok(
        "import_contents.py",
        &[&port.to_string(), user, password, mailbox],
    );
    out.lines().map(tests::json).collect()
}

#[test]
fn an_mbox_is_imported_with_flags_and_dates_once() {
    let server = server();
    let mbox = server.data_dir().join("old.mbox");
    std::fs::write(
        &mbox,
        "From boss@example.test Mon Dec  7 10:00:00 2026\n\
         From: Boss <boss@example.test>\n\
         Subject: =?UTF-8?B?5Lya6K6u?=\n\
         Status: RO\n\
         X-Status: A\n\
         \n\
         >From the minutes: see you at ten.\n\
         \n\
         From printer@example.test Tue Dec  8 07:15:30 2026\n\
         Subject: scan\n\
         X-Mozilla-Status: 0004\n\
         \n\
         scanned\n",
    )
    .expect("write mbox");
    let path = mbox.to_str().expect("utf-8 path");
    let out = server.ok(&["import", "mbox", path, "--to", "bob@example.test"]);
    assert!(
        out.contains("imported 2 message(s) into bob@example.test (INBOX)"),
        "{out}"
    );
    let again = server.ok(&["import", "mbox", path, "--to", "bob@example.test"]);
    assert!(
        again.contains("imported 0 message(s)") && again.contains("2 already there"),
        "{again}"
    );
    let port = server.addr("imap").port();
    let found = contents(port, "bob@example.test", tests::PASSWORD, "INBOX");
    assert_eq!(
        found,
        [
            serde_json::json!({
                "flags": ["\\Answered", "\\Seen"],
                "date": "07-Dec-2026 10:00:00 +0000",
                "body": "From: Boss <boss@example.test>\r\nSubject: =?UTF-8?B?5Lya6K6u?=\r\n\r\nFrom the minutes: see you at ten.\r\n"
            }),
            serde_json::json!({
                "flags": ["\\Flagged"],
                "date": "08-Dec-2026 07:15:30 +0000",
                "body": "Subject: scan\r\n\r\nscanned\r\n"
            }),
        ]
    );
    // Into another mailbox, made on the way; an unknown account is one clear line.
    let out = server.ok(&[
        "import",
        "mbox",
        path,
        "--to",
        "bob@example.test",
        "--mailbox",
        "Old mail",
    ]);
    assert!(
        out.contains("imported 2 message(s) into bob@example.test (Old mail)"),
        "{out}"
    );
    let bad = server.cli(
        &["import", "mbox", path, "--to", "nobody@example.test"],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no account nobody@example.test"));
}

#[test]
fn a_dovecot_maildir_with_chinese_folders_is_imported_with_the_same_flags_and_dates() {
    let theirs = Dovecot::start(&["isp"], false);
    let mut d = theirs.imap_login();
    // The same folders ("项目" and "项目/2026") as IMAP4rev1 clients name them, in modified
    // UTF-7 (RFC 3501 §5.1.3): Dovecot's Maildir++ layout puts `.` between levels, we `/`.
    let folders = [
        ("INBOX", "INBOX"),
        ("&mHl27g-", "&mHl27g-"),
        ("&mHl27g-.2026", "&mHl27g-/2026"),
    ];
    for (theirs_name, _) in &folders[1..] {
        let r = d.cmd("c", &format!("CREATE {theirs_name}"));
        assert!(r.last().is_some_and(|l| l.starts_with("c OK")), "{r:?}");
    }
    let flag_sets = [
        "",
        "\\Seen",
        "\\Seen \\Answered",
        "\\Flagged",
        "\\Draft \\Seen",
    ];
    let mut n = 0;
    for (theirs_name, _) in &folders {
        for i in 0..12 {
            n += 1;
            let message = format!(
                "From: a{n}@example.test\r\nSubject: {n} =?GB2312?B?yrLDtA==?=\r\nMessage-ID: <m{n}@test>\r\n\r\n第 {n} 封\r\n"
            );
            let options = format!(
                "({}) \"{:02}-Nov-2026 {:02}:{:02}:00 +0000\" ",
                flag_sets[i % flag_sets.len()],
                1 + i,
                i,
                n % 60
            );
            d.append_to("a", theirs_name, &options, message.as_bytes());
        }
    }
    let ours = server();
    let maildir = theirs.dir.path().join("home/isp/Maildir");
    let out = ours.ok(&[
        "import",
        "maildir",
        maildir.to_str().expect("utf-8 path"),
        "--to",
        "alice@example.test",
    ]);
    assert!(out.contains("imported 36 message(s)"), "{out}");
    let mut mismatches = BTreeMap::new();
    for (theirs_name, ours_name) in &folders {
        let want = contents(theirs.imap, "isp", tests::dovecot::PASSWORD, theirs_name);
        let port = ours.addr("imap").port();
        let got = contents(port, "alice@example.test", tests::PASSWORD, ours_name);
        assert_eq!(want.len(), 12, "{theirs_name}");
        if want != got {
            mismatches.insert(*ours_name, (want, got));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn an_account_exported_as_maildir_is_served_by_dovecot_as_we_serve_it() {
    let ours = server();
    let mut a = tests::imap::ImapConn::login(ours.addr("imap"), "alice");
    let r = a.cmd("c", "CREATE &mHl27g-");
    assert!(r.last().is_some_and(|l| l.starts_with("c OK")), "{r:?}");
    let flag_sets = [
        "",
        "\\Seen",
        "\\Seen \\Answered",
        "\\Flagged",
        "\\Draft \\Seen",
    ];
    for (n, mailbox) in ["INBOX", "&mHl27g-"].iter().cycle().take(10).enumerate() {
        let message = format!(
            "From: b{n}@example.test\r\nSubject: {n} =?GB2312?B?yrLDtA==?=\r\n\r\n第 {n} 封\r\n"
        );
        let options = format!(
            "({}) \"{:02}-Oct-2026 09:{:02}:00 +0000\" ",
            flag_sets[n % flag_sets.len()],
            n + 1,
            n
        );
        a.append_to("a", mailbox, &options, message.as_bytes());
    }
    let theirs = Dovecot::start(&["isp"], false);
    let maildir = theirs.dir.path().join("home/isp/Maildir");
    let out = ours.ok(&[
        "export",
        "alice@example.test",
        "--maildir",
        maildir.to_str().expect("utf-8 path"),
    ]);
    assert!(out.contains("exported 10 message(s)"), "{out}");
    // Dovecot reads its users' mail as the mail user (nobody here).
    let owned = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "chown -R \"$(id -u nobody):$(id -g nobody)\" '{}'",
            maildir.display()
        ))
        .status()
        .expect("chown");
    assert!(owned.success());
    let port = ours.addr("imap").port();
    for mailbox in ["INBOX", "&mHl27g-"] {
        let want = contents(port, "alice@example.test", tests::PASSWORD, mailbox);
        let got = contents(theirs.imap, "isp", tests::dovecot::PASSWORD, mailbox);
        assert_eq!(want.len(), 5, "{mailbox}");
        assert_eq!(want, got, "{mailbox}");
    }
}
