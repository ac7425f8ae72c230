//! Backups of a data directory while the server runs, and restoring them (issue #18).
//!
//! A backup is one file, `postroom-backup-<UTC time>.tar.gz` in the target folder (another
//! disk, a USB stick, a network share): a gzip-compressed tar that any system can open, so
//! nothing is locked in. Its members, in order:
//! - `manifest.json`: the format, when, which Postroom, and how many domains, accounts,
//!   mailboxes, messages and queued messages the snapshot holds ([`Manifest`]);
//! - `data/postroom.db`: a consistent snapshot of the database (SQLite's `VACUUM INTO`, one
//!   read transaction: in WAL mode it never blocks the server's writer, so mail keeps
//!   flowing while it is taken); the mail, the accounts and their password hashes, the DKIM
//!   keys and the queue are all in it;
//! - `data/...`: the other files of the data directory (postroom.toml, `tls/`, the admin
//!   and SRS secrets), except what belongs to one running engine (see [`skipped`]);
//! - `SHA256SUMS`: the SHA-256 of every member before it, in `sha256sum`'s format.
//!
//! The archive is written as `<name>.partial`, flushed to disk, and only then renamed: a
//! backup killed half-way, or a full target disk, never leaves a file that [`list`] shows as
//! a backup, and earlier backups are never touched. [`verify`] unpacks an archive to a
//! temporary folder next to it, checks every checksum (and gzip's own CRC), runs SQLite's
//! integrity check on the database and compares its counts with the manifest's.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read};
use std::path::{Component, Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

pub mod export;
pub mod import;

#[cfg(test)]
mod tests;

/// The archive format this version writes and reads.
pub const FORMAT: u32 = 1;
const PREFIX: &str = "postroom-backup-";
const SUFFIX: &str = ".tar.gz";
const PARTIAL: &str = ".partial";
const MANIFEST: &str = "manifest.json";
const SUMS: &str = "SHA256SUMS";
/// Members under this prefix are files of the data directory.
const DATA: &str = "data/";
const DATABASE: &str = "postroom.db";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("the backup target {path} is full ({source}); earlier backups are kept")]
    TargetFull { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("the database snapshot failed: {0}")]
    Snapshot(rusqlite::Error),
    #[error("{path} is damaged: {why}")]
    Damaged { path: PathBuf, why: String },
    #[error("{path} is not empty: a backup is restored only into a new or empty data directory")]
    NotEmpty { path: PathBuf },
}

pub type Result<T> = std::result::Result<T, BackupError>;

/// What a backup holds, written first in the archive so that [`list`] reads it quickly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// RFC 3339, UTC.
    pub created: String,
    /// The Postroom version that wrote it.
    pub version: String,
    pub counts: Counts,
    /// The data directory's files in the archive (`postroom.db`, `postroom.toml`, ...).
    pub files: Vec<String>,
}

/// Rows in the database snapshot, compared again by [`verify`] and [`restore`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub domains: u64,
    pub accounts: u64,
    pub mailboxes: u64,
    pub messages: u64,
    pub queued: u64,
}

/// Writes a backup of `data_dir` into the folder `target` (made if missing) and returns its
/// path. Safe while `postroom serve` runs on `data_dir`.
pub fn create(data_dir: &Path, target: &Path) -> Result<PathBuf> {
    fs::create_dir_all(target).map_err(|source| write_error(target, source))?;
    let created = OffsetDateTime::now_utc();
    let path = free_name(target, created);
    let partial = with_suffix(&path, PARTIAL);
    // The snapshot's folder (SQLite may leave a journal next to a failed copy): removed
    // whole, and by `prune` if a killed backup left it.
    let scratch = with_suffix(&path, ".snapshot.partial");
    let snapshot = scratch.join(DATABASE);
    let written = (|| {
        fs::create_dir_all(&scratch).map_err(|source| write_error(&scratch, source))?;
        let counts = take_snapshot(&data_dir.join(DATABASE), &snapshot)?;
        let files = data_files(data_dir, target)?;
        let manifest = Manifest {
            format: FORMAT,
            created: created
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            counts,
            files: std::iter::once(DATABASE.to_string())
                .chain(files.iter().map(|(name, _)| name.clone()))
                .collect(),
        };
        write_archive(&partial, &manifest, &snapshot, &files)
    })();
    let _ = fs::remove_dir_all(&scratch);
    if let Err(e) = written {
        let _ = fs::remove_file(&partial);
        return Err(e);
    }
    fs::rename(&partial, &path).map_err(|source| write_error(&path, source))?;
    sync_dir(target);
    Ok(path)
}

/// `postroom-backup-20261208T031500Z.tar.gz`, with `-2`, `-3`... if a backup of the same
/// second exists.
fn free_name(target: &Path, created: OffsetDateTime) -> PathBuf {
    let stamp = created
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    let mut path = target.join(format!("{PREFIX}{stamp}{SUFFIX}"));
    let mut n = 2;
    while path.exists() || with_suffix(&path, PARTIAL).exists() {
        path = target.join(format!("{PREFIX}{stamp}-{n}{SUFFIX}"));
        n += 1;
    }
    path
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A consistent copy of the database at `db` into `to`, and its counts.
fn take_snapshot(db: &Path, to: &Path) -> Result<Counts> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(BackupError::Snapshot)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(BackupError::Snapshot)?;
    let target = to.to_str().ok_or_else(|| BackupError::Write {
        path: to.to_path_buf(),
        source: io::Error::new(io::ErrorKind::InvalidInput, "the path is not UTF-8"),
    })?;
    // One read transaction from start to end: in WAL mode the writer goes on committing
    // while it runs, and the copy is the database as of its start.
    conn.execute("VACUUM INTO ?1", [target])
        .map_err(|e| snapshot_error(to, e))?;
    drop(conn);
    counts(&open_read_only(to)?)
}

/// `VACUUM INTO` reports a full disk as SQLITE_FULL.
fn snapshot_error(to: &Path, e: rusqlite::Error) -> BackupError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => BackupError::TargetFull {
            path: to.parent().unwrap_or(to).to_path_buf(),
            source: io::Error::other(e.to_string()),
        },
        _ => BackupError::Snapshot(e),
    }
}

fn open_read_only(db: &Path) -> Result<Connection> {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(BackupError::Snapshot)
}

fn counts(conn: &Connection) -> Result<Counts> {
    let count = |table: &str| -> Result<u64> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get::<_, i64>(0)
        })
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(BackupError::Snapshot)
    };
    Ok(Counts {
        domains: count("domains")?,
        accounts: count("accounts")?,
        mailboxes: count("mailboxes")?,
        messages: count("messages")?,
        queued: count("queue")?,
    })
}

/// Whether the data directory's file `rel` (with `/` separators) stays out of the archive:
/// the live database and its journals (the snapshot stands for them), the spool of messages
/// being received (`tmp/`), logs, and files that belong to one running engine.
pub fn skipped(rel: &str) -> bool {
    let first = rel.split('/').next().unwrap_or(rel);
    rel.starts_with("postroom.db")
        || matches!(first, "tmp" | "logs" | ".restoring")
        || rel == "engine-control"
        || rel.ends_with(".lock")
        || rel.ends_with(".log")
        || rel.ends_with(PARTIAL)
}

/// The data directory's files to archive: (name with `/` separators, path), sorted. The
/// target folder is left out when it lies inside the data directory.
fn data_files(data_dir: &Path, target: &Path) -> Result<Vec<(String, PathBuf)>> {
    let target = fs::canonicalize(target).ok();
    let mut found = Vec::new();
    let mut dirs = vec![(String::new(), data_dir.to_path_buf())];
    while let Some((prefix, dir)) = dirs.pop() {
        if target.as_deref() == fs::canonicalize(&dir).ok().as_deref() {
            continue;
        }
        let entries = fs::read_dir(&dir).map_err(|source| read_error(&dir, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| read_error(&dir, source))?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let rel = format!("{prefix}{name}");
            let kind = entry
                .file_type()
                .map_err(|source| read_error(&entry.path(), source))?;
            if skipped(&rel) {
                continue;
            }
            // Links are not followed: a backup holds the data directory and nothing else.
            if kind.is_dir() {
                dirs.push((format!("{rel}/"), entry.path()));
            } else if kind.is_file() {
                found.push((rel, entry.path()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes the archive to `path` and flushes it to the disk.
fn write_archive(
    path: &Path,
    manifest: &Manifest,
    snapshot: &Path,
    files: &[(String, PathBuf)],
) -> Result<()> {
    let file = File::create(path).map_err(|source| write_error(path, source))?;
    let gz = GzEncoder::new(BufWriter::new(file), Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut sums = String::new();
    let mut add = |name: &str, reader: &mut dyn Read, len: u64| -> io::Result<()> {
        let mut header = member_header(len);
        // Exactly the size in the header, even if the file grows while it is read (a log);
        // if it shrank, the member would be short: an error, not a broken archive.
        let mut limited = reader.take(len);
        let mut hashing = Hashing::new(&mut limited);
        tar.append_data(&mut header, name, &mut hashing)?;
        if hashing.read < len {
            return Err(io::Error::other(format!(
                "{name} changed while it was read"
            )));
        }
        sums.push_str(&format!("{}  {name}\n", hex::encode(hashing.finish())));
        Ok(())
    };
    let body = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    add(MANIFEST, &mut body.as_slice(), body.len() as u64)
        .map_err(|source| write_error(path, source))?;
    let mut members = vec![(DATABASE.to_string(), snapshot.to_path_buf())];
    members.extend(files.iter().cloned());
    for (name, source_path) in &members {
        let file = File::open(source_path).map_err(|source| read_error(source_path, source))?;
        let len = file
            .metadata()
            .map_err(|source| read_error(source_path, source))?
            .len();
        add(&format!("{DATA}{name}"), &mut BufReader::new(file), len)
            .map_err(|source| write_error(path, source))?;
    }
    let sums = sums.into_bytes();
    let mut header = member_header(sums.len() as u64);
    let finish = || -> io::Result<File> {
        tar.append_data(&mut header, SUMS, sums.as_slice())?;
        let gz = tar.into_inner()?;
        let file = gz.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(file)
    };
    finish().map_err(|source| write_error(path, source))?;
    Ok(())
}

/// A member's header: a private file of `len` bytes (times are not kept: the manifest says
/// when the backup was made).
fn member_header(len: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(len);
    header.set_mode(0o600);
    header.set_mtime(0);
    header
}

/// A reader that hashes what passes through it.
struct Hashing<'a> {
    inner: &'a mut dyn Read,
    hash: Sha256,
    read: u64,
}

impl<'a> Hashing<'a> {
    fn new(inner: &'a mut dyn Read) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            read: 0,
        }
    }

    fn finish(self) -> [u8; 32] {
        self.hash.finalize().into()
    }
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Checks `archive` completely (see the module's documentation) and returns its manifest.
pub fn verify(archive: &Path) -> Result<Manifest> {
    let parent = archive.parent().unwrap_or(Path::new("."));
    let scratch = tempfile::Builder::new()
        .prefix(".postroom-verify-")
        .tempdir_in(parent)
        .or_else(|_| tempfile::tempdir())
        .map_err(|source| write_error(parent, source))?;
    let manifest = unpack(archive, scratch.path())?;
    check_database(archive, &scratch.path().join(DATABASE), &manifest)?;
    Ok(manifest)
}

/// Unpacks the data files of `archive` into `dest`, checking every member's checksum, and
/// returns the manifest.
fn unpack(archive: &Path, dest: &Path) -> Result<Manifest> {
    let damaged = |why: String| BackupError::Damaged {
        path: archive.to_path_buf(),
        why,
    };
    let file = File::open(archive).map_err(|source| read_error(archive, source))?;
    let mut tar = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let mut computed = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let mut listed: Option<BTreeMap<String, String>> = None;
    let entries = tar.entries().map_err(|e| damaged(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged(e.to_string()))?;
        let name = entry
            .path()
            .ok()
            .and_then(|p| p.to_str().map(str::to_string))
            .ok_or_else(|| damaged("a member's name is not UTF-8".into()))?;
        if listed.is_some() {
            return Err(damaged(format!("{name} comes after {SUMS}")));
        }
        if name == SUMS {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| damaged(e.to_string()))?;
            listed =
                Some(parse_sums(&text).ok_or_else(|| damaged(format!("{SUMS} is unreadable")))?);
            continue;
        }
        let mut hashing = Hashing::new(&mut entry);
        if name == MANIFEST && manifest.is_none() && computed.is_empty() {
            let mut body = Vec::new();
            hashing
                .read_to_end(&mut body)
                .map_err(|e| damaged(e.to_string()))?;
            manifest = Some(read_manifest(&body).map_err(damaged)?);
        } else if let Some(rel) = name.strip_prefix(DATA) {
            let to = safe_join(dest, rel)
                .ok_or_else(|| damaged(format!("{name}: not a plain relative path")))?;
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|source| write_error(parent, source))?;
            }
            let mut out = File::create(&to).map_err(|source| write_error(&to, source))?;
            io::copy(&mut hashing, &mut out).map_err(|e| damaged(e.to_string()))?;
            out.sync_all().map_err(|source| write_error(&to, source))?;
        } else {
            return Err(damaged(format!("unexpected member {name}")));
        }
        computed.insert(name, hex::encode(hashing.finish()));
    }
    // Read to the end of the gzip stream, so that its CRC and length are checked too.
    let mut rest = tar.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| damaged(e.to_string()))?;
    let manifest = manifest.ok_or_else(|| damaged(format!("no {MANIFEST}")))?;
    let listed = listed.ok_or_else(|| damaged(format!("no {SUMS}: the archive is cut short")))?;
    if listed != computed {
        let bad: Vec<&str> = computed
            .iter()
            .filter(|(name, sum)| listed.get(*name) != Some(sum))
            .map(|(name, _)| name.as_str())
            .chain(
                listed
                    .keys()
                    .filter(|name| !computed.contains_key(*name))
                    .map(String::as_str),
            )
            .collect();
        return Err(damaged(format!("checksum mismatch: {}", bad.join(", "))));
    }
    Ok(manifest)
}

fn read_manifest(body: &[u8]) -> std::result::Result<Manifest, String> {
    let manifest: Manifest =
        serde_json::from_slice(body).map_err(|e| format!("{MANIFEST}: {e}"))?;
    if manifest.format > FORMAT {
        return Err(format!(
            "written by a newer Postroom (format {}; this one reads {FORMAT})",
            manifest.format
        ));
    }
    Ok(manifest)
}

/// `sha256sum` lines: `<64 hex>  <name>`.
fn parse_sums(text: &str) -> Option<BTreeMap<String, String>> {
    text.lines()
        .map(|line| {
            let (sum, name) = line.split_once("  ")?;
            (sum.len() == 64).then(|| (name.to_string(), sum.to_string()))
        })
        .collect()
}

/// `dest/rel` if `rel` is a plain relative path (no `..`, no root, no drive): an archive
/// must never write outside the folder it is unpacked into.
fn safe_join(dest: &Path, rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    let plain = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| dest.join(path))
}

/// SQLite's integrity check, and the counts the manifest promises.
fn check_database(archive: &Path, db: &Path, manifest: &Manifest) -> Result<()> {
    let damaged = |why: String| BackupError::Damaged {
        path: archive.to_path_buf(),
        why,
    };
    let conn = open_read_only(db).map_err(|e| damaged(e.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|e| damaged(e.to_string()))?;
    if check != "ok" {
        return Err(damaged(format!(
            "the database fails its integrity check: {check}"
        )));
    }
    let found = counts(&conn)?;
    if found != manifest.counts {
        return Err(damaged(format!(
            "the database holds {found:?}, the manifest says {:?}",
            manifest.counts
        )));
    }
    Ok(())
}

/// Makes `data_dir` (absent or empty) a complete data directory from `archive`, after
/// checking the archive as [`verify`] does. Nothing is left in `data_dir` if it fails.
pub fn restore(archive: &Path, data_dir: &Path) -> Result<Manifest> {
    let empty = match fs::read_dir(data_dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(source) => return Err(read_error(data_dir, source)),
    };
    if !empty {
        return Err(BackupError::NotEmpty {
            path: data_dir.to_path_buf(),
        });
    }
    files::private_dir(data_dir).map_err(|source| write_error(data_dir, source))?;
    let staging = data_dir.join(".restoring");
    let restored = (|| {
        let manifest = unpack(archive, &staging)?;
        check_database(archive, &staging.join(DATABASE), &manifest)?;
        for entry in fs::read_dir(&staging).map_err(|source| read_error(&staging, source))? {
            let entry = entry.map_err(|source| read_error(&staging, source))?;
            let to = data_dir.join(entry.file_name());
            fs::rename(entry.path(), &to).map_err(|source| write_error(&to, source))?;
        }
        Ok(manifest)
    })();
    let _ = fs::remove_dir_all(&staging);
    match restored {
        Ok(manifest) => {
            files::private_dir(data_dir).map_err(|source| write_error(data_dir, source))?;
            sync_dir(data_dir);
            Ok(manifest)
        }
        Err(e) => {
            // Back to empty: a failed restore leaves nothing half-made to serve from.
            if let Ok(entries) = fs::read_dir(data_dir) {
                for entry in entries.flatten() {
                    let _ =
                        fs::remove_dir_all(entry.path()).or_else(|_| fs::remove_file(entry.path()));
                }
            }
            Err(e)
        }
    }
}

/// One backup in a target folder.
#[derive(Debug)]
pub struct Listed {
    pub path: PathBuf,
    pub size: u64,
    /// Its manifest, or why it cannot be read.
    pub manifest: std::result::Result<Manifest, String>,
}

/// The backups in `target`, oldest first. Unfinished ones (`.partial`) are not backups.
pub fn list(target: &Path) -> Result<Vec<Listed>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(target).map_err(|source| read_error(target, source))? {
        let entry = entry.map_err(|source| read_error(target, source))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX)) {
            continue;
        }
        let path = entry.path();
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        let manifest = first_manifest(&path);
        found.push(Listed {
            path,
            size,
            manifest,
        });
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The manifest, the archive's first member, without reading the rest.
fn first_manifest(path: &Path) -> std::result::Result<Manifest, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut tar = tar::Archive::new(GzDecoder::new(BufReader::new(file)));
    let mut entries = tar.entries().map_err(|e| e.to_string())?;
    let mut first = entries
        .next()
        .ok_or("empty archive")?
        .map_err(|e| e.to_string())?;
    if first.path().ok().as_deref() != Some(Path::new(MANIFEST)) {
        return Err(format!("{MANIFEST} is not the first member"));
    }
    let mut body = Vec::new();
    first.read_to_end(&mut body).map_err(|e| e.to_string())?;
    read_manifest(&body)
}

/// Removes the backups in `target` that the retention keeps no more: the newest backup of
/// each of the last `daily` days that have one, and the newest of each of the last `weekly`
/// ISO weeks; and unfinished files an hour old (a backup that was killed). Returns what it
/// removed.
pub fn prune(target: &Path, daily: usize, weekly: usize) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let mut backups = list(target)?;
    backups.reverse();
    let day = |path: &Path| -> Option<String> {
        let name = path.file_name()?.to_str()?;
        Some(name.strip_prefix(PREFIX)?.get(..8)?.to_string())
    };
    let week = |stamp: &str| -> Option<(i32, u8)> {
        let number = |range: std::ops::Range<usize>| stamp.get(range)?.parse::<u16>().ok();
        let month = time::Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?;
        let day = u8::try_from(number(6..8)?).ok()?;
        let date = time::Date::from_calendar_date(i32::from(number(0..4)?), month, day).ok()?;
        Some((date.to_iso_week_date().0, date.iso_week()))
    };
    let mut days = Vec::new();
    let mut weeks = Vec::new();
    for backup in &backups {
        let Some(stamp) = day(&backup.path) else {
            continue;
        };
        let mut keep = false;
        if !days.contains(&stamp) && days.len() < daily {
            days.push(stamp.clone());
            keep = true;
        }
        if let Some(w) = week(&stamp)
            && !weeks.contains(&w)
            && weeks.len() < weekly
        {
            weeks.push(w);
            keep = true;
        }
        if !keep {
            fs::remove_file(&backup.path).map_err(|source| write_error(&backup.path, source))?;
            removed.push(backup.path.clone());
        }
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in fs::read_dir(target).map_err(|source| read_error(target, source))? {
        let entry = entry.map_err(|source| read_error(target, source))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if name.starts_with(PREFIX) && name.ends_with(PARTIAL) && old {
            let path = entry.path();
            fs::remove_dir_all(&path)
                .or_else(|_| fs::remove_file(&path))
                .map_err(|source| write_error(&path, source))?;
            removed.push(entry.path());
        }
    }
    Ok(removed)
}

fn read_error(path: &Path, source: io::Error) -> BackupError {
    BackupError::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// A full disk (ENOSPC on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows) is
/// named as such, with the promise that earlier backups are kept.
fn write_error(path: &Path, source: io::Error) -> BackupError {
    let full = source.kind() == io::ErrorKind::StorageFull
        || matches!(source.raw_os_error(), Some(28) if cfg!(unix))
        || matches!(source.raw_os_error(), Some(39 | 112) if cfg!(windows));
    if full {
        BackupError::TargetFull {
            path: path.to_path_buf(),
            source,
        }
    } else {
        BackupError::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Flushes a folder's entries (the rename of a finished backup) on Unix; on Windows a
/// rename is flushed with the file system's metadata.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
