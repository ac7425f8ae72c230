//! The data directory holds all mail, the DKIM private keys (in the database), the TLS key
//! and the relay, DDNS and ISP passwords (postroom.toml): it must be 0700 and every file in
//! it 0600, whatever umask the server was started with, including files an older version
//! left 0644 and files the control panel rewrites.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tests::admin::{admin_server_with, expect_status, put_settings};
use tests::{Options, binary};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file and directory under `dir` with its mode (symbolic links left out).
fn tree(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found = vec![(dir.to_path_buf(), mode(dir))];
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("list") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            if meta.file_type().is_symlink() {
                continue;
            }
            if meta.is_dir() {
                pending.push(path.clone());
            }
            found.push((path.clone(), mode(&path)));
        }
    }
    found
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// The modes a data directory of an earlier version had (0755 / 0644): the server fixes
/// them at start; then a settings save from the panel, a pause and a sign-in link write
/// their files again, and everything is owner-only.
#[test]
fn data_directory_is_0700_and_every_file_0600_after_start_and_panel_saves() {
    let (mut server, token) = admin_server_with(Options::default());
    let dir = server.data_dir().to_path_buf();
    server.stop();
    for (path, _) in tree(&dir) {
        chmod(&path, if path.is_dir() { 0o755 } else { 0o644 });
    }
    server.spawn();

    let saved = put_settings(&server, &token, r#"{"hostname": "mx2.example.test"}"#);
    assert_eq!(saved.status, 200, "{}", saved.body);
    expect_status(
        &server,
        "PUT",
        "/api/receiving",
        &token,
        r#"{"paused": true}"#,
        200,
    );
    server.ok(&["admin", "open", "--print-only"]);
    let text = std::fs::read_to_string(dir.join("postroom.toml")).expect("read config");
    assert!(text.contains("mx2.example.test"), "{text}");

    // What must be there, with the modes it must have.
    for (name, want) in [
        ("", 0o700),
        ("postroom.toml", 0o600),
        ("postroom.db", 0o600),
        ("postroom.db-wal", 0o600),
        ("postroom.db-shm", 0o600),
        ("admin-token", 0o600),
        ("admin-signin", 0o600),
        ("receiving-paused", 0o600),
        ("tls", 0o700),
        ("tls/key.pem", 0o600),
        ("tls/cert.pem", 0o600),
    ] {
        let path = dir.join(name);
        assert_eq!(mode(&path), want, "{} is {:o}", path.display(), mode(&path));
    }
    // And nothing else in the tree is readable by others either.
    let open: Vec<_> = tree(&dir)
        .into_iter()
        .filter(|(_, mode)| mode & 0o077 != 0)
        .collect();
    assert!(open.is_empty(), "readable by others: {open:?}");
}

/// A data directory the server makes itself, under a umask of 022 (the usual one), is
/// private from the first moment.
#[test]
fn a_new_data_directory_is_private_under_a_permissive_umask() {
    let parent = tempfile::tempdir().expect("tempdir");
    let dir = parent.path().join("fresh").join("data");
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" --data-dir \"$1\" domain add fresh.test")
        .arg(binary())
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .expect("run postroom");
    tests::assert_success(&out);
    let entries = tree(&dir);
    assert!(
        entries.iter().any(|(p, _)| p.ends_with("postroom.db")),
        "{entries:?}"
    );
    for (path, mode) in entries {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{} is {mode:o}", path.display());
    }
}
