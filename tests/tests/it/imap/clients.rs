//! Real IMAP clients against the server on loopback: mbsync (isync) syncing both ways with a
//! local Maildir, and offlineimap mirroring the account's folders. Mail goes in over SMTP with
//! Python's smtplib; what the clients stored is checked against the server's own bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use tests::imap::{server, stored};
use tests::{PASSWORD, Server, python_ok};

/// smtplib: deliver one message to one recipient; prints "OK".
const SEND: &str = "imap_clients_send.py";

/// imaplib: log in as argv[3], select INBOX, print one line per message: "UID FLAGS".
const FLAGS: &str = "imap_clients_flags.py";

fn send(server: &Server, id: &str, body: &str) {
    let msg = format!(
        "From: Sender <sender@outside.test>\r\nTo: alice@example.test\r\nSubject: {id}\r\nMessage-ID: <{id}>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\n{body}"
    );
    let port = server.smtp.port().to_string();
    let out = python_ok(SEND, &["127.0.0.1", &port, "alice@example.test", &msg]);
    assert_eq!(out.trim(), "OK");
}

/// The server's view of alice's INBOX: one `* n FETCH (UID u FLAGS (...))` line per message.
fn server_flags(server: &Server) -> Vec<String> {
    let port = server.addr("imap").port().to_string();
    python_ok(FLAGS, &["127.0.0.1", &port, "alice@example.test", PASSWORD])
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every message file of the Maildir folder `dir` (new/ and cur/), sorted by name.
fn maildir_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries {
            files.push(e.expect("entry").path());
        }
    }
    files.sort();
    files
}

/// The Maildir file holding the message with Message-ID `id`.
fn file_with_id(dir: &Path, id: &str) -> PathBuf {
    let needle = format!("Message-ID: <{id}>");
    maildir_files(dir)
        .into_iter()
        .find(|p| String::from_utf8_lossy(&std::fs::read(p).expect("read")).contains(&needle))
        .unwrap_or_else(|| panic!("no file with {id} in {}", dir.display()))
}

/// What mbsync stored in a Maildir file, undoing its two documented local transformations:
/// lines end in LF on disk, and it inserts an `X-TUID:` header (its own tracking id) at the
/// end of the header. Everything else must be the server's bytes.
fn local_copy(path: &Path) -> Vec<u8> {
    let text = String::from_utf8(std::fs::read(path).expect("read")).expect("utf8");
    assert!(!text.contains('\r'), "mbsync writes LF files: {text:?}");
    text.lines()
        .filter(|l| !l.starts_with("X-TUID: "))
        .flat_map(|l| [l, "\r\n"])
        .collect::<String>()
        .into_bytes()
}

/// Runs `program` with `args`; asserts success and returns stdout + stderr.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{program} {args:?}: {:?}\n{text}",
        out.status
    );
    text
}

#[test]
fn mbsync_syncs_inbox_both_ways_and_fetches_only_new_mail() {
    let server = server();
    send(
        &server,
        "mbsync-1@test",
        "First body line.\r\nSecond line.\r\n",
    );
    send(&server, "mbsync-2@test", "Delete me.\r\n");

    let home = tempfile::tempdir().expect("tempdir");
    let mail = home.path().join("mail");
    std::fs::create_dir(&mail).expect("mkdir");
    let inbox = mail.join("INBOX");
    let rc = home.path().join("mbsyncrc");
    std::fs::write(
        &rc,
        format!(
            "IMAPAccount alice\nHost 127.0.0.1\nPort {port}\nUser alice@example.test\nPass {PASSWORD}\nSSLType None\nAuthMechs LOGIN\n\n\
             IMAPStore remote\nAccount alice\n\n\
             MaildirStore local\nPath {mail}/\nInbox {inbox}\n\n\
             Channel alice\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nExpunge Both\nSync All\nSyncState {state}/\n",
            port = server.addr("imap").port(),
            mail = mail.display(),
            inbox = inbox.display(),
            state = home.path().display(),
        ),
    )
    .expect("rc");
    let rc = rc.to_str().expect("path");

    // First sync: both messages land in the Maildir, byte for byte what the server stored.
    run("mbsync", &["-c", rc, "-a"]);
    let files = maildir_files(&inbox);
    assert_eq!(files.len(), 2, "{files:?}");
    let first = local_copy(&file_with_id(&inbox, "mbsync-1@test"));
    assert_eq!(first, stored(&server, "alice@example.test", 1));
    assert!(first.ends_with(b"\r\n\r\nFirst body line.\r\nSecond line.\r\n"));

    // Flag the first message and trash the second locally (Maildir info ":2,F" / ":2,T"),
    // then sync: the server shows \Flagged on the first and has expunged the second.
    let mark = |path: PathBuf, flag: &str| {
        let name = path.file_name().expect("name").to_str().expect("utf8");
        let base = name.split(":2,").next().expect("base");
        std::fs::rename(&path, inbox.join("cur").join(format!("{base}:2,{flag}"))).expect("rename");
    };
    mark(file_with_id(&inbox, "mbsync-1@test"), "F");
    mark(file_with_id(&inbox, "mbsync-2@test"), "T");
    run("mbsync", &["-c", rc, "-a"]);
    let flags = server_flags(&server);
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert!(flags[0].contains("UID 1 "), "{flags:?}");
    assert!(flags[0].contains("\\Flagged"), "{flags:?}");
    assert_eq!(
        server.message_ids("alice@example.test"),
        vec!["<mbsync-1@test>"]
    );

    // A new message on the server: the next sync fetches just that one.
    send(&server, "mbsync-3@test", "Third.\r\n");
    let before: Vec<PathBuf> = maildir_files(&inbox);
    assert_eq!(before.len(), 1, "{before:?}");
    run("mbsync", &["-c", rc, "-a"]);
    let after = maildir_files(&inbox);
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        after.contains(&before[0]),
        "first file untouched: {after:?}"
    );
    let third = local_copy(&file_with_id(&inbox, "mbsync-3@test"));
    assert_eq!(third, stored(&server, "alice@example.test", 3));
    assert!(third.ends_with(b"\r\n\r\nThird.\r\n"));
}

#[test]
fn offlineimap_mirrors_inbox_and_creates_the_special_folders() {
    let server = server();
    send(&server, "offlineimap-1@test", "Offline body.\r\n");

    let home = tempfile::tempdir().expect("tempdir");
    let mail = home.path().join("mail");
    let rc = home.path().join("offlineimaprc");
    std::fs::write(
        &rc,
        format!(
            "[general]\naccounts = alice\nmetadata = {meta}\n\n\
             [Account alice]\nlocalrepository = local\nremoterepository = remote\n\n\
             [Repository local]\ntype = Maildir\nlocalfolders = {mail}\n\n\
             [Repository remote]\ntype = IMAP\nremotehost = 127.0.0.1\nremoteport = {port}\n\
             remoteuser = alice@example.test\nremotepass = {PASSWORD}\nssl = no\nstarttls = no\n",
            meta = home.path().join("meta").display(),
            mail = mail.display(),
            port = server.addr("imap").port(),
        ),
    )
    .expect("rc");
    let out = run(
        "offlineimap",
        &["-c", rc.to_str().expect("path"), "-o", "-u", "basic"],
    );
    assert!(!out.contains("ERROR"), "{out}");

    let inbox = mail.join("INBOX");
    let files = maildir_files(&inbox);
    assert_eq!(files.len(), 1, "{files:?}\n{out}");
    let got = std::fs::read(&files[0]).expect("read");
    let want = stored(&server, "alice@example.test", 1);
    // offlineimap writes local files with LF line endings.
    assert_eq!(
        String::from_utf8_lossy(&got).replace("\r\n", "\n"),
        String::from_utf8_lossy(&want).replace("\r\n", "\n")
    );
    assert!(String::from_utf8_lossy(&got).contains("Offline body."));
    for folder in ["Sent", "Drafts", "Trash", "Junk"] {
        for sub in ["cur", "new", "tmp"] {
            assert!(
                mail.join(folder).join(sub).is_dir(),
                "{folder}/{sub} missing:\n{out}"
            );
        }
    }
}
