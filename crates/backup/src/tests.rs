//! Backups of a small data directory: the round trip, and each way an archive can be bad.

use std::fs;
use std::io::Write;
use std::path::Path;

use rusqlite::Connection;

use crate::*;

/// A data directory with the tables the counts read, some rows, the config and a TLS key.
fn data_dir(dir: &Path) {
    fs::create_dir_all(dir.join("tls")).expect("ok");
    let conn = Connection::open(dir.join(DATABASE)).expect("ok");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE domains (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE accounts (id INTEGER PRIMARY KEY, address TEXT);
         CREATE TABLE mailboxes (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE messages (id INTEGER PRIMARY KEY, body BLOB);
         CREATE TABLE queue (id INTEGER PRIMARY KEY);
         INSERT INTO domains (name) VALUES ('example.com');
         INSERT INTO accounts (address) VALUES ('alice@example.com'), ('bob@example.com');
         INSERT INTO mailboxes (name) VALUES ('INBOX');",
    )
    .expect("ok");
    for i in 0..50 {
        conn.execute(
            "INSERT INTO messages (body) VALUES (?1)",
            [format!("Subject: {i}\r\n\r\nbody {i}\r\n").into_bytes()],
        )
        .expect("ok");
    }
    fs::write(
        dir.join("postroom.toml"),
        "hostname = \"mail.example.com\"\n",
    )
    .expect("ok");
    fs::write(dir.join("tls/key.pem"), "secret key").expect("ok");
    fs::create_dir_all(dir.join("tmp")).expect("ok");
    fs::write(dir.join("tmp/spool.msg"), "half a message").expect("ok");
    fs::write(dir.join("engine-control"), "{}").expect("ok");
}

#[test]
fn a_backup_restores_into_an_empty_directory_with_the_same_data() {
    let root = tempfile::tempdir().expect("ok");
    let (data, target, restored) = (
        root.path().join("d"),
        root.path().join("t"),
        root.path().join("r"),
    );
    data_dir(&data);
    // A connection holding the database open, as a running server does.
    let live = Connection::open(data.join(DATABASE)).expect("ok");
    let archive = create(&data, &target).expect("ok");
    live.execute("INSERT INTO messages (body) VALUES (x'00')", [])
        .expect("ok");

    let listed = list(&target).expect("ok");
    assert_eq!(listed.len(), 1);
    let manifest = listed[0].manifest.clone().expect("ok");
    assert_eq!(
        (
            manifest.counts.domains,
            manifest.counts.accounts,
            manifest.counts.messages
        ),
        (1, 2, 50)
    );
    assert_eq!(
        manifest.files,
        ["postroom.db", "postroom.toml", "tls/key.pem"]
    );
    assert_eq!(verify(&archive).expect("ok"), manifest);

    restore(&archive, &restored).expect("ok");
    assert_eq!(
        fs::read(restored.join("tls/key.pem")).expect("ok"),
        b"secret key"
    );
    assert!(!restored.join("tmp").exists() && !restored.join("engine-control").exists());
    let conn = Connection::open(restored.join(DATABASE)).expect("ok");
    let n: i64 = conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .expect("ok");
    assert_eq!(
        n, 50,
        "the snapshot is the database as of the backup's start"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(restored.join("tls/key.pem"))
            .expect("ok")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_flipped_byte_is_found_and_nothing_is_restored() {
    let root = tempfile::tempdir().expect("ok");
    let (data, target) = (root.path().join("d"), root.path().join("t"));
    data_dir(&data);
    let archive = create(&data, &target).expect("ok");
    let mut bytes = fs::read(&archive).expect("ok");
    for at in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 12] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x20;
        fs::write(&archive, &flipped).expect("ok");
        assert!(
            matches!(verify(&archive), Err(BackupError::Damaged { .. })),
            "byte {at} of {}",
            bytes.len()
        );
        let into = root.path().join(format!("r{at}"));
        assert!(restore(&archive, &into).is_err());
        assert_eq!(fs::read_dir(&into).expect("ok").count(), 0, "left empty");
    }
    // Cut short: as a copy to a full USB stick would leave it.
    bytes.truncate(bytes.len() / 2);
    fs::write(&archive, &bytes).expect("ok");
    assert!(matches!(verify(&archive), Err(BackupError::Damaged { .. })));
}

/// An archive made by hand with the given members, each checksummed as ours are.
fn handmade(path: &Path, members: &[(&str, &[u8])]) {
    let file = fs::File::create(path).expect("ok");
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
    let mut sums = String::new();
    for (name, body) in members {
        let mut header = member_header(body.len() as u64);
        // `append_data` refuses `..`; write the name into the header directly, as a
        // hostile archive would.
        header.as_gnu_mut().expect("ok").name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        tar.append(&header, *body).expect("ok");
        sums.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(body))));
    }
    let mut header = member_header(sums.len() as u64);
    tar.append_data(&mut header, SUMS, sums.as_bytes())
        .expect("ok");
    tar.into_inner()
        .expect("ok")
        .finish()
        .expect("ok")
        .flush()
        .expect("ok");
}

#[test]
fn a_member_outside_the_data_directory_is_refused() {
    let root = tempfile::tempdir().expect("ok");
    let manifest = serde_json::to_vec(&Manifest {
        format: FORMAT,
        created: String::new(),
        version: String::new(),
        counts: Counts::default(),
        files: Vec::new(),
    })
    .expect("ok");
    for evil in ["data/../../evil", "data//etc/evil", "data/tls/../../evil"] {
        let archive = root.path().join("evil.tar.gz");
        handmade(&archive, &[(MANIFEST, &manifest), (evil, b"owned")]);
        let into = root.path().join("r");
        let err = restore(&archive, &into).expect_err("an error");
        assert!(matches!(err, BackupError::Damaged { .. }), "{evil}: {err}");
        assert!(!root.path().join("evil").exists() && !into.join("evil").exists());
        let _ = fs::remove_dir_all(&into);
    }
}

#[test]
fn restore_refuses_a_directory_in_use() {
    let root = tempfile::tempdir().expect("ok");
    let (data, target) = (root.path().join("d"), root.path().join("t"));
    data_dir(&data);
    let archive = create(&data, &target).expect("ok");
    let err = restore(&archive, &data).expect_err("an error");
    assert!(matches!(err, BackupError::NotEmpty { .. }), "{err}");
    assert!(err.to_string().contains("new or empty data directory"));
}

#[test]
fn a_target_inside_the_data_directory_is_not_backed_up_into_itself() {
    let root = tempfile::tempdir().expect("ok");
    let data = root.path().join("d");
    data_dir(&data);
    let target = data.join("backups");
    create(&data, &target).expect("ok");
    let second = create(&data, &target).expect("ok");
    let manifest = verify(&second).expect("ok");
    assert!(
        manifest.files.iter().all(|f| !f.starts_with("backups")),
        "{:?}",
        manifest.files
    );
}

#[test]
fn unfinished_files_are_not_backups_and_retention_keeps_days_and_weeks() {
    let root = tempfile::tempdir().expect("ok");
    let target = root.path();
    let names = [
        "20261101T020000Z", // week 44
        "20261110T020000Z", // week 46
        "20261201T020000Z", // week 49
        "20261206T020000Z", // week 49 (Sunday)
        "20261207T020000Z", // week 50
        "20261207T140000Z",
        "20261208T020000Z",
    ];
    for name in names {
        fs::write(target.join(format!("{PREFIX}{name}{SUFFIX}")), b"x").expect("ok");
    }
    fs::write(
        target.join(format!("{PREFIX}20261208T030000Z{SUFFIX}{PARTIAL}")),
        b"x",
    )
    .expect("ok");
    assert_eq!(list(target).expect("ok").len(), names.len());
    let removed = prune(target, 2, 3).expect("ok");
    let mut left: Vec<String> = list(target)
        .expect("ok")
        .iter()
        .map(|l| {
            l.path.file_name().expect("ok").to_string_lossy()[PREFIX.len()..][..16].to_string()
        })
        .collect();
    left.sort();
    // Days: 8 Dec and 7 Dec (its newest); weeks: 50 (8 Dec), 49 (6 Dec), 46 (10 Nov).
    assert_eq!(
        left,
        [
            "20261110T020000Z",
            "20261206T020000Z",
            "20261207T140000Z",
            "20261208T020000Z"
        ]
    );
    assert_eq!(removed.len(), 3, "{removed:?}");
    // A fresh unfinished file may be a backup being written: kept.
    assert!(
        target
            .join(format!("{PREFIX}20261208T030000Z{SUFFIX}{PARTIAL}"))
            .exists()
    );
}
