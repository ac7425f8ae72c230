//! Moving in (issue #18): messages from another system's files, with their flags and dates.
//! - `mbox.rs`: mbox files (Thunderbird, Outlook and Foxmail exports; our own `export`), in
//!   the mboxrd, mboxo and mboxcl flavours;
//! - `maildir.rs`: Maildir and Maildir++ folders (Dovecot, Courier, many hosting providers),
//!   with their sub-folders;
//! - `eml.rs`: one `.eml` file, or a folder of them (hMailServer keeps each message as an
//!   `.eml` file in per-account folders; Outlook and Foxmail save messages as `.eml`).
//!
//! Each gives [`Imported`] messages one at a time, so a large file is never read whole.

mod eml;
mod maildir;
mod mbox;

use std::path::{Path, PathBuf};

pub use eml::eml;
pub use maildir::maildir;
pub use mbox::Mbox;

/// One message to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The folder it came from, relative to what was imported ("" for the top: the target
    /// mailbox), `/`-separated.
    pub folder: String,
    /// The message with CRLF line ends.
    pub message: Vec<u8>,
    /// IMAP system flags and keywords (`\Seen`, `\Answered`, `$Forwarded`...).
    pub flags: Vec<String>,
    /// When it was received (Unix seconds), if the source says.
    pub internal_date: Option<i64>,
}

/// Why a source cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not {what}")]
    NotA { path: PathBuf, what: &'static str },
}

fn read_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// A file's modification time as Unix seconds: the internal date of a message kept as a
/// file (Maildir, `.eml`), as Dovecot takes it.
fn modified(path: &Path) -> Option<i64> {
    let time = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}

/// `text` with every line ending as CRLF (a lone LF or a lone CR becomes CRLF), as stored
/// messages are (RFC 5322 §2.1).
pub fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\r' if text.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests;
