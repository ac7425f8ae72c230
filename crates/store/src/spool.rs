//! Messages too large to hold in memory while they arrive: written to a temporary file in the
//! data directory's `tmp/` folder, then stored from that file in pieces
//! ([`crate::Store::deliver_spooled`]), so a message at the size limit never needs its size
//! in memory.
//!
//! The files are unnamed where the system allows it (Linux `O_TMPFILE`; elsewhere removed
//! right after creation, or deleted on close on Windows), so a crash leaves nothing behind;
//! whatever an older build left is removed when the store opens.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// How much is read from a spool file at once when hashing or storing it.
pub(crate) const PIECE: usize = 64 * 1024;

/// A message being written to a temporary file. Dropping it removes the file.
#[derive(Debug)]
pub struct Spool {
    /// `None` only while a write runs on a blocking thread.
    file: Option<File>,
    len: u64,
    /// What is stored instead of the file's first bytes: `(bytes, cut)` replaces
    /// `file[..cut]` ([`Spool::replace_start`]).
    start: Option<(Vec<u8>, u64)>,
}

/// A finished spool file as stored: its replaced start, then the file from `skip` on.
pub(crate) struct SpooledMessage {
    start: Vec<u8>,
    file: File,
    skip: u64,
    rest: u64,
}

impl SpooledMessage {
    /// The stored size.
    pub(crate) fn len(&self) -> u64 {
        self.start.len() as u64 + self.rest
    }

    /// The stored bytes from the beginning, read in pieces.
    pub(crate) fn reader(&mut self) -> io::Result<impl Read + '_> {
        self.file.seek(SeekFrom::Start(self.skip))?;
        Ok(io::Cursor::new(&self.start[..]).chain((&mut self.file).take(self.rest)))
    }
}

/// The `tmp/` folder next to the database at `db`: made private to this user (0700) if
/// missing, and emptied of files a crashed older build may have left.
pub(crate) fn prepare_dir(db: &Path) -> io::Result<PathBuf> {
    let dir = db
        .parent()
        .map_or_else(|| PathBuf::from("tmp"), |p| p.join("tmp"));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(&dir)?;
    for entry in std::fs::read_dir(&dir)?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            // A file still open by another process (Windows) stays; it is removed on close.
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(dir)
}

impl Spool {
    /// A new, empty spool file in `dir`.
    pub(crate) async fn create(dir: PathBuf) -> Result<Spool> {
        let file = tokio::task::spawn_blocking(move || tempfile::tempfile_in(dir))
            .await
            .map_err(|_| crate::writer::internal_error("creating a spool file failed"))??;
        Ok(Spool {
            file: Some(file),
            len: 0,
            start: None,
        })
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends all of `data` (on a blocking thread, off the reactor) and gives the buffer
    /// back emptied, so the caller can fill it again without allocating.
    pub async fn write(&mut self, mut data: Vec<u8>) -> io::Result<Vec<u8>> {
        let Some(mut file) = self.file.take() else {
            return Err(io::Error::other(
                "the spool file was lost by an earlier write",
            ));
        };
        let (file, written) = tokio::task::spawn_blocking(move || {
            let written = file.write_all(&data).map(|()| {
                let n = data.len() as u64;
                data.clear();
                (n, data)
            });
            (file, written)
        })
        .await
        .map_err(|_| io::Error::other("writing the spool file failed"))?;
        self.file = Some(file);
        let (n, data) = written?;
        self.len += n;
        Ok(data)
    }

    /// The first `max` bytes written (fewer if the file is shorter), read on a blocking
    /// thread; later writes still append.
    pub async fn head(&mut self, max: usize) -> io::Result<Vec<u8>> {
        let Some(mut file) = self.file.take() else {
            return Err(io::Error::other(
                "the spool file was lost by an earlier write",
            ));
        };
        let want = u64::try_from(max).unwrap_or(u64::MAX).min(self.len);
        let (file, head) = tokio::task::spawn_blocking(move || {
            let read = (|| {
                file.seek(SeekFrom::Start(0))?;
                let mut head = Vec::new();
                (&mut file).take(want).read_to_end(&mut head)?;
                file.seek(SeekFrom::End(0))?;
                Ok(head)
            })();
            (file, read)
        })
        .await
        .map_err(|_| io::Error::other("reading the spool file failed"))?;
        self.file = Some(file);
        head
    }

    /// Stores `start` in place of the file's first `cut` bytes (at most its length), so
    /// header fields can be added and removed without reading the message whole (the
    /// smtp crate's trace fields, RFC 8601 §5). Later writes still append to the file.
    pub fn replace_start(&mut self, cut: u64, start: Vec<u8>) {
        self.start = Some((start, cut.min(self.len)));
    }

    /// The message as stored; for the store's blocking code.
    pub(crate) fn into_message(self) -> Result<SpooledMessage> {
        let file = self
            .file
            .ok_or_else(|| StoreError::Invalid("the spool file was lost".into()))?;
        let (start, skip) = self.start.unwrap_or_default();
        Ok(SpooledMessage {
            start,
            file,
            skip,
            rest: self.len - skip,
        })
    }
}

/// SHA-256 of the stored message, read in pieces.
pub(crate) fn hash_message(message: &mut SpooledMessage) -> Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut piece = vec![0u8; PIECE];
    let mut reader = message.reader()?;
    loop {
        let n = reader.read(&mut piece)?;
        if n == 0 {
            break;
        }
        hasher.update(&piece[..n]);
    }
    Ok(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn written_pieces_read_back_whole_and_hash_as_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut spool = Spool::create(dir.path().to_path_buf())
            .await
            .expect("spool");
        let buf = spool.write(b"hello ".to_vec()).await.expect("write");
        assert!(buf.is_empty());
        spool.write(b"world".to_vec()).await.expect("write");
        assert_eq!(spool.len(), 11);
        let mut message = spool.into_message().expect("file");
        let hash = hash_message(&mut message).expect("hash");
        let expected: [u8; 32] = Sha256::digest(b"hello world").into();
        assert_eq!(hash, expected);
        let mut text = String::new();
        message
            .reader()
            .expect("reader")
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "hello world");
    }

    #[tokio::test]
    async fn a_replaced_start_is_stored_before_the_rest_of_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut spool = Spool::create(dir.path().to_path_buf())
            .await
            .expect("spool");
        spool
            .write(b"A: 1\r\nB: 2\r\n\r\nbody".to_vec())
            .await
            .expect("write");
        spool.replace_start(6, b"A: 1\r\nNew: x\r\n".to_vec());
        let mut message = spool.into_message().expect("file");
        let expected = b"A: 1\r\nNew: x\r\nB: 2\r\n\r\nbody";
        assert_eq!(message.len(), expected.len() as u64);
        let hash = hash_message(&mut message).expect("hash");
        assert_eq!(hash, <[u8; 32]>::from(Sha256::digest(expected)));
        // Read twice: storing reads it again after hashing.
        let mut text = Vec::new();
        message
            .reader()
            .expect("reader")
            .read_to_end(&mut text)
            .expect("read");
        assert_eq!(text, expected);
    }

    #[test]
    fn the_tmp_folder_is_private_and_emptied_at_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("postroom.db");
        let tmp = prepare_dir(&db).expect("prepare");
        std::fs::write(tmp.join("left-over.msg"), b"x").expect("write");
        prepare_dir(&db).expect("prepare again");
        assert_eq!(std::fs::read_dir(&tmp).expect("read").count(), 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&tmp).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
