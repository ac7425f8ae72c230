//! An account's mail as one mboxrd file.
//!
//! Each message is preceded by `From <sender> <asctime date>`, its CRLF line ends become LF,
//! every line matching `^>*From ` gets one more `>` (mboxrd, so the quoting is reversible), and
//! a blank line follows it. The file is written next to its destination and renamed into place,
//! so a reader never sees half an export.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, MAIN_DB, OptionalExtension};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::{Result, Store, StoreError, address};

pub(crate) async fn export_mbox(store: &Store, address: &str, path: &Path) -> Result<usize> {
    let address = address::normalize(address);
    let path = path.to_path_buf();
    store
        .inner
        .readers
        .read(move |conn| {
            // One read transaction: a consistent snapshot however long the export takes.
            let tx = conn.unchecked_transaction()?;
            let account = account_id(&tx, &address)?;
            let temp = temp_path(&path);
            let written = write_file(&tx, account, &temp);
            let count = match written {
                Ok(count) => count,
                Err(e) => {
                    let _ = std::fs::remove_file(&temp);
                    return Err(e);
                }
            };
            if let Err(e) = std::fs::rename(&temp, &path) {
                let _ = std::fs::remove_file(&temp);
                return Err(e.into());
            }
            tx.finish()?;
            Ok(count)
        })
        .await
}

/// One message as [`Store::each_message`] gives it.
pub struct Exported<'a> {
    pub mailbox: &'a str,
    pub uid: u32,
    pub flags: Vec<String>,
    /// Unix seconds.
    pub internal_date: i64,
    pub message: &'a [u8],
}

impl Store {
    /// Every message of the account `address`, mailbox by mailbox (by name) in UID order,
    /// given to `each` from one read transaction (a consistent snapshot however long it
    /// takes); stops at `each`'s first error. Returns how many messages were given.
    pub async fn each_message<F>(&self, address: &str, mut each: F) -> Result<usize>
    where
        F: FnMut(Exported<'_>) -> std::io::Result<()> + Send + 'static,
    {
        let address = address::normalize(address);
        self.inner
            .readers
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                let account = account_id(&tx, &address)?;
                let mut stmt = tx.prepare(
                    "SELECT b.name, m.uid, m.flags, m.internal_date, m.blob_id FROM messages m
                     JOIN mailboxes b ON b.id = m.mailbox_id
                     WHERE b.account_id = ?1 ORDER BY b.name, m.uid",
                )?;
                let mut rows = stmt.query([account])?;
                let mut count = 0;
                let mut body = Vec::new();
                while let Some(row) = rows.next()? {
                    let mailbox: String = row.get(0)?;
                    let flags: String = row.get(2)?;
                    let blob: i64 = row.get(4)?;
                    body.clear();
                    tx.blob_open(MAIN_DB, c"blobs", c"data", blob, true)?
                        .read_to_end(&mut body)?;
                    each(Exported {
                        mailbox: &mailbox,
                        uid: row.get(1)?,
                        flags: crate::mailbox::parse_flags(&flags),
                        internal_date: row.get(3)?,
                        message: &body,
                    })?;
                    count += 1;
                }
                drop(rows);
                drop(stmt);
                tx.finish()?;
                Ok(count)
            })
            .await
    }
}

/// The row id of the account `address` (normalized).
fn account_id(conn: &Connection, address: &str) -> Result<i64> {
    conn.prepare_cached("SELECT id FROM accounts WHERE address = ?1")?
        .query_row([address], |row| row.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("unknown account {address}")))
}

/// A hidden name beside `path`, so the rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.mbox".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_file(conn: &Connection, account: i64, temp: &Path) -> Result<usize> {
    let mut out = BufWriter::new(File::create(temp)?);
    let mut stmt = conn.prepare(
        "SELECT m.blob_id, m.sender, m.internal_date FROM messages m
         JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE b.account_id = ?1 ORDER BY b.id, m.uid",
    )?;
    let mut rows = stmt.query([account])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let blob: i64 = row.get(0)?;
        let sender: String = row.get(1)?;
        let date: i64 = row.get(2)?;
        writeln!(out, "From {} {}", separator_sender(&sender), asctime(date))?;
        // Incremental blob I/O: the body is streamed, never held whole.
        let body = conn.blob_open(MAIN_DB, c"blobs", c"data", blob, true)?;
        write_body(BufReader::new(body), &mut out)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(count)
}

/// The envelope sender as one word; `MAILER-DAEMON` for the null sender.
fn separator_sender(sender: &str) -> String {
    if sender.is_empty() {
        return "MAILER-DAEMON".into();
    }
    sender
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// ctime(3) style, in UTC: `Thu Nov 27 01:02:03 2026`.
fn asctime(unix: i64) -> String {
    let format = format_description!(
        "[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]"
    );
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(format)
        .unwrap_or_else(|_| "Thu Jan  1 00:00:00 1970".into())
}

/// Copies one message: LF line ends, mboxrd `From ` quoting, a final line end.
fn write_body(mut body: impl BufRead, out: &mut impl Write) -> Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if body.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let mut text = line.as_slice();
        if let Some(rest) = text.strip_suffix(b"\n") {
            text = rest;
        }
        if let Some(rest) = text.strip_suffix(b"\r") {
            text = rest;
        }
        let unquoted = text
            .iter()
            .position(|&b| b != b'>')
            .map_or(&[][..], |i| &text[i..]);
        if unquoted.starts_with(b"From ") {
            out.write_all(b">")?;
        }
        out.write_all(text)?;
        out.write_all(b"\n")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_lines_are_quoted_mboxrd_style_and_crlf_becomes_lf() -> Result<()> {
        let mut out = Vec::new();
        write_body(
            &b"A: b\r\n\r\nFrom here\r\n>From there\r\nFromage\r\nend"[..],
            &mut out,
        )?;
        assert_eq!(out, b"A: b\n\n>From here\n>>From there\nFromage\nend\n");
        Ok(())
    }

    #[test]
    fn the_separator_date_is_asctime_in_utc() {
        assert_eq!(asctime(1_795_741_323), "Fri Nov 27 01:02:03 2026");
        assert_eq!(asctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(separator_sender(""), "MAILER-DAEMON");
    }
}
