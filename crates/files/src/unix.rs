//! Unix: owner-only modes, the umask, rename plus a directory fsync.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// rename(2) replaces `to` atomically; the fsync of the directory makes the new directory
/// entry durable, so after a crash the file is the old one or the new one.
pub(crate) fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)?;
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}

#[allow(unsafe_code)]
pub(crate) fn restrict_umask() {
    // SAFETY: umask(2) only swaps the process's file mode creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// How deep the fix-up goes: the data directory's files and those of its subdirectories
/// (`tls/`, `logs/`). A data directory given by mistake (a home directory) is not walked
/// whole.
const DEPTH: usize = 2;

/// Directories 0700 and files 0600, [`DEPTH`] levels down; symbolic links are not followed.
/// What cannot be changed (a file another user put here, e.g. a root-owned log) is logged
/// and skipped: the server still starts.
pub(crate) fn make_tree_private(dir: &Path) {
    let mut pending = vec![(dir.to_path_buf(), 1)];
    set_mode_or_warn(dir, 0o700);
    while let Some((current, depth)) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) => {
                tracing::warn!(path = %current.display(), error = %e, "cannot list to make private");
                continue;
            }
        };
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_symlink() {
                continue;
            }
            let path = entry.path();
            if file_type.is_dir() {
                set_mode_or_warn(&path, 0o700);
                if depth < DEPTH {
                    pending.push((path, depth + 1));
                }
            } else {
                set_mode_or_warn(&path, 0o600);
            }
        }
    }
}

fn set_mode_or_warn(path: &Path, mode: u32) {
    if let Err(e) = set_mode(path, mode) {
        tracing::warn!(path = %path.display(), error = %e, "cannot make private");
    }
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.mode() & 0o777 == mode {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}
