//! The data directory's files on disk: written whole or not at all, and readable by the
//! owner only.
//!
//! Contract: [`write_atomic`] is the one way Postroom writes a small file it may rewrite
//! (postroom.toml, tokens, keys, markers): a reader, or a crash, sees the old content or the
//! new, never half of it, and on Windows the replacement works while another process (an
//! editor, a backup, the tray app) has the file open for reading. Every file it writes is
//! private (0600 on Unix; on Windows it inherits the data directory's protected ACL), and
//! [`private_dir`] makes a directory and what is in it (two levels down) private: 0700/0600 on Unix, an
//! ACL for SYSTEM, Administrators and the user on Windows.
//!
//! # Layout
//! - `lib.rs`: the portable surface.
//! - `unix.rs`: modes, umask, rename + directory fsync.
//! - `windows.rs`: ReplaceFileW with retries, ACLs through SDDL, the current user's SID.

use std::io::Write;
use std::path::{Path, PathBuf};

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(windows)]
pub use windows::{current_user_sid, protect_dir};

/// Writes `contents` to `path` through a temporary file in the same directory: written,
/// flushed to disk, then put in place of `path` in one step (rename on Unix, then an fsync
/// of the directory so the rename itself survives a crash; ReplaceFileW on Windows, retried
/// while another process briefly holds the file). The file is readable by its owner only.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let written = write_new_private(&tmp, contents);
    let replaced = written.and_then(|()| replace(&tmp, path));
    if replaced.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    replaced
}

/// A name next to `path` that no other writer uses at the same time: the process id and a
/// counter, so two threads or two processes never share a temporary file.
fn temp_path(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Creates `path` (which must not exist) readable by the owner only, writes and syncs it.
fn write_new_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(unix)]
use unix::replace;
#[cfg(windows)]
use windows::replace;

/// Makes `dir` (and its parents) if needed and makes it private with everything in it:
/// on Unix the directory and its subdirectories 0700 and their files 0600, two levels down (symbolic links are
/// left alone; what cannot be changed is logged, not fatal); on Windows a protected ACL
/// for SYSTEM, Administrators and the current user, unless the directory already has a
/// protected ACL (as `postroom service install` sets it, naming the installing user).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    unix::make_tree_private(dir);
    #[cfg(windows)]
    if let Err(e) = windows::protect_dir_once(dir) {
        tracing::warn!(path = %dir.display(), error = %e, "cannot set the data directory's ACL");
    }
    Ok(())
}

/// From now on, files and directories this process creates are for its owner only
/// (umask 077 on Unix; nothing to do on Windows, where the data directory's ACL is
/// inherited).
pub fn restrict_new_files() {
    #[cfg(unix)]
    unix::restrict_umask();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("postroom.toml");
        write_atomic(&path, b"first = 1\n").expect("first write");
        write_atomic(&path, b"second = 2\n").expect("second write");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "second = 2\n"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("postroom.toml")]);
    }

    /// Windows: std's rename (MoveFileExW) is refused while a reader has the file open;
    /// ReplaceFileW is not, as long as the reader shares delete access (std does).
    #[test]
    fn write_atomic_works_while_a_reader_holds_the_file_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("postroom.toml");
        write_atomic(&path, b"old\n").expect("first write");
        let held = std::fs::File::open(&path).expect("open for reading");
        write_atomic(&path, b"new\n").expect("write while open");
        drop(held);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new\n");
    }

    #[cfg(windows)]
    #[test]
    fn the_data_directory_acl_is_protected_once_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        private_dir(&data).expect("private");
        assert!(windows::is_protected(&data).expect("read the ACL"));
        let sid = current_user_sid().expect("SID");
        assert!(sid.starts_with("S-1-"), "{sid}");
        assert!(protect_dir(&data, Some("S-1-5-21-1;(A;;FA;;;WD)")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn files_written_and_trees_fixed_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("tls")).expect("mkdir");
        for d in [&data, &data.join("tls")] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let key = data.join("tls/key.pem");
        std::fs::write(&key, "key").expect("write");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        private_dir(&data).expect("private");
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("tls")), 0o700);
        assert_eq!(mode(&key), 0o600);
        let written = data.join("admin-token");
        write_atomic(&written, b"t").expect("write");
        assert_eq!(mode(&written), 0o600);
    }
}
