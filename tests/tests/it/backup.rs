//! Backups while mail flows, and restoring them (issue #18's contract): `postroom backup now
//! --to DIR` prints the archive's path last; `postroom --data-dir NEW restore ARCHIVE` makes
//! NEW a data directory that `serve` runs from with the same accounts, mail and flags. What
//! can go wrong: a backup killed half-way, a full target disk, a damaged archive.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use tests::imap::ImapConn;
use tests::{Server, SmtpConn, binary, wait_until};

/// `postroom --data-dir DIR ARGS...` outside any test server.
fn postroom(dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("run postroom")
}

fn backup_now(server: &Server, target: &Path) -> PathBuf {
    let out = server.ok(&["backup", "now", "--to", target.to_str().expect("utf-8")]);
    PathBuf::from(out.lines().last().expect("the archive's path"))
}

/// Restores `archive` into a new directory and starts a server on it.
fn restored(archive: &Path) -> Server {
    let dir = tempfile::Builder::new()
        .prefix("postroom-restored")
        .tempdir()
        .expect("tempdir");
    let out = postroom(dir.path(), &["restore", archive.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Server::open(dir)
}

/// Sends `tag command`; asserts the tagged answer is OK; returns every line.
fn ok(c: &mut ImapConn, tag: &str, command: &str) -> Vec<String> {
    let r = c.cmd(tag, command);
    let last = r.last().map(String::as_str).unwrap_or("");
    assert!(last.starts_with(&format!("{tag} OK")), "{command}: {r:?}");
    r
}

/// The `* SEARCH` line of a response (new mail may arrive with it).
fn search(lines: Vec<String>) -> String {
    lines
        .into_iter()
        .find(|l| l.starts_with("* SEARCH"))
        .expect("a SEARCH response")
}

/// The messages of an account's mbox export by Message-ID.
fn by_message_id(mbox: &str) -> HashMap<String, String> {
    mbox.split("\nFrom ")
        .filter_map(|message| {
            let id = message
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: <"))?
                .trim_end_matches('>')
                .to_string();
            Some((id, message.to_string()))
        })
        .collect()
}

#[test]
fn a_backup_taken_while_mail_flows_restores_every_acknowledged_message_and_flag() {
    let server = tests::imap::server();
    let target = server.data_dir().join("..").join(format!(
        "{}-backups",
        server.data_dir().file_name().expect("ok").to_string_lossy()
    ));
    // 8 SMTP clients deliver in a loop.
    let load = tests::Load::start(server.smtp);
    load.wait_past(39);
    // IMAP clients flag and move mail; their tagged OKs come before the backup starts.
    let imap = server.addr("imap");
    let mut a = ImapConn::login(imap, "alice");
    ok(&mut a, "c", "CREATE Archive");
    ok(&mut a, "s", "SELECT INBOX");
    ok(&mut a, "f", "STORE 1:5 +FLAGS (\\Flagged $Invoice)");
    ok(&mut a, "m", "MOVE 6:8 Archive");
    let flagged = search(ok(&mut a, "u", "UID SEARCH FLAGGED"));
    // A second client keeps changing flags while the backup runs.
    let busy = std::thread::spawn(move || {
        let mut b = ImapConn::login(imap, "alice");
        ok(&mut b, "s", "SELECT INBOX");
        for i in 0..40 {
            ok(
                &mut b,
                "t",
                &format!("STORE 9:12 {}FLAGS (\\Seen)", ["+", "-"][i % 2]),
            );
        }
    });
    let before = load.acknowledged();
    let archive = backup_now(&server, &target);
    busy.join().expect("imap client");
    // The load goes on a little after the backup, then stops.
    load.wait_past(load.acknowledged().len() + 10);
    load.stop();

    let listed = server.ok(&[
        "backup",
        "list",
        "--to",
        target.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("3 accounts"), "{listed}");
    server.ok(&["backup", "verify", archive.to_str().expect("utf-8 path")]);

    let copy = restored(&archive);
    let original = by_message_id(&server.export("alice@example.test"));
    let restored_mail = by_message_id(&copy.export("alice@example.test"));
    for id in &before {
        let message = restored_mail
            .get(id)
            .unwrap_or_else(|| panic!("{id} was acknowledged before the backup and is missing"));
        assert_eq!(Some(message), original.get(id), "{id} differs");
    }
    // The accounts and passwords, the folders and the flags came along.
    let mut c = ImapConn::login(copy.addr("imap"), "alice");
    ok(&mut c, "s", "SELECT INBOX");
    assert_eq!(search(ok(&mut c, "u", "UID SEARCH FLAGGED")), flagged);
    let keyword = ok(&mut c, "k", "SEARCH KEYWORD $Invoice").join("\n");
    assert!(keyword.contains("* SEARCH 1 2 3 4 5"), "{keyword}");
    let archived = ok(&mut c, "x", "STATUS Archive (MESSAGES)").join("\n");
    assert!(archived.contains("MESSAGES 3"), "{archived}");
    // The restored server takes new mail.
    let mut smtp = SmtpConn::connect(copy.smtp);
    smtp.start_mail("bob@example.test");
    let message = tests::message("after-restore@test", "hello") + ".\r\n";
    smtp.data(message.as_bytes(), "250");
    assert!(
        copy.message_ids("bob@example.test")
            .contains(&"<after-restore@test>".to_string())
    );
    let _ = std::fs::remove_dir_all(&target);
}

/// A data directory with about 24 MB of mail, so that a backup takes long enough to be
/// interrupted.
fn server_with_big_mail() -> Server {
    let server = Server::start();
    let body = format!(
        "Subject: big\r\n\r\n{}\r\n",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n".repeat(8_000)
    );
    for i in 0..48 {
        let mut smtp = SmtpConn::connect(server.smtp);
        smtp.start_mail("alice@example.test");
        let message = format!("Message-ID: <big{i}@test>\r\n{body}.\r\n");
        smtp.data(message.as_bytes(), "250");
    }
    server
}

#[test]
fn a_backup_killed_half_way_leaves_no_backup_and_the_store_intact() {
    let server = server_with_big_mail();
    let target = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(binary())
        .arg("--data-dir")
        .arg(server.data_dir())
        .args(["backup", "now", "--to"])
        .arg(target.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("backup");
    // Killed as soon as it has begun writing into the target.
    wait_until(
        Duration::from_secs(60),
        "the backup to start writing",
        || std::fs::read_dir(target.path()).is_ok_and(|mut d| d.next().is_some()),
    );
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    let listed = server.ok(&[
        "backup",
        "list",
        "--to",
        target.path().to_str().expect("utf-8 path"),
    ]);
    for line in listed.lines() {
        // Only a backup that had finished before the kill may be listed, and it is whole.
        let path = line.split('\t').next().expect("ok");
        server.ok(&["backup", "verify", path]);
    }
    assert!(listed.lines().count() <= 1, "{listed}");
    // The live store is untouched: the server answers and has all its mail.
    assert_eq!(server.sql("PRAGMA integrity_check"), "ok");
    assert_eq!(server.message_ids("alice@example.test").len(), 48);
    // The next backup works.
    let archive = backup_now(&server, target.path());
    server.ok(&["backup", "verify", archive.to_str().expect("utf-8 path")]);
}

#[test]
fn a_full_target_disk_is_a_clear_error_and_keeps_the_earlier_backup() {
    let server = Server::start();
    let mount = tempfile::tempdir().expect("tempdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(mount.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: this test needs to mount a small tmpfs (root with CAP_SYS_ADMIN)");
        return;
    }
    let unmount = |path: &Path| {
        let _ = Command::new("umount").arg(path).status();
    };
    let first = backup_now(&server, mount.path());
    // Now more mail than the 2 MiB disk holds.
    let body = "x".repeat(998) + "\r\n";
    for i in 0..6 {
        let mut smtp = SmtpConn::connect(server.smtp);
        smtp.start_mail("alice@example.test");
        let message = format!(
            "Message-ID: <full{i}@test>\r\nSubject: full\r\n\r\n{}.\r\n",
            // Random-looking lines compress badly, as real attachments do.
            (0..700)
                .map(|n| format!("{:x}{body}", (n * 2_654_435_761_u64 + i) % 1_000_003))
                .collect::<String>()
        );
        smtp.data(message.as_bytes(), "250");
    }
    let out = server.cli(
        &[
            "backup",
            "now",
            "--to",
            mount.path().to_str().expect("utf-8 path"),
        ],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let listed = server.ok(&[
        "backup",
        "list",
        "--to",
        mount.path().to_str().expect("utf-8 path"),
    ]);
    let files: Vec<String> = std::fs::read_dir(mount.path())
        .expect("ok")
        .map(|e| e.expect("ok").file_name().to_string_lossy().into_owned())
        .collect();
    let verified = server.cli(
        &["backup", "verify", first.to_str().expect("utf-8 path")],
        None,
    );
    unmount(mount.path());
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is full") && err.contains("earlier backups are kept"),
        "{err}"
    );
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert_eq!(files.len(), 1, "nothing half-written is left: {files:?}");
    assert!(
        verified.status.success(),
        "the earlier backup still verifies"
    );
}

#[test]
fn a_damaged_archive_is_reported_and_not_restored() {
    let server = Server::start();
    let target = tempfile::tempdir().expect("tempdir");
    let archive = backup_now(&server, target.path());
    let mut bytes = std::fs::read(&archive).expect("ok");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&archive, &bytes).expect("ok");
    let verify = server.cli(
        &["backup", "verify", archive.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(verify.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verify.stderr).contains("is damaged"));
    let into = tempfile::tempdir().expect("tempdir");
    let out = postroom(
        into.path(),
        &["restore", archive.to_str().expect("utf-8 path")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(into.path()).expect("ok").count(), 0);
    // And a data directory in use is never restored over.
    let out = postroom(
        server.data_dir(),
        &["restore", archive.to_str().expect("utf-8 path")],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("new or empty data directory"));
    assert_eq!(server.sql("PRAGMA integrity_check"), "ok");
}
