//! No lock-in (issue #18): an account's mail written as a Maildir++ folder that Dovecot,
//! Courier, mutt or a Postroom `import maildir` read: INBOX in `cur/`, every other mailbox
//! in `.Name` (levels joined with `.`, names in modified UTF-7 as Dovecot keeps them), one
//! file per message with its flags in its name and its internal date as its time.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// Writes messages into the Maildir at `root` (made if missing) as they are given.
pub struct MaildirWriter {
    root: PathBuf,
    /// The folder of the last mailbox written to, made once.
    current: Option<(String, PathBuf)>,
}

impl MaildirWriter {
    pub fn new(root: &Path) -> MaildirWriter {
        MaildirWriter {
            root: root.to_path_buf(),
            current: None,
        }
    }

    /// One message of `mailbox` (`/`-separated levels), written to `tmp/` and moved into
    /// `cur/` (the Maildir delivery protocol: a reader never sees half a file).
    pub fn write(
        &mut self,
        mailbox: &str,
        uid: u32,
        flags: &[String],
        internal_date: i64,
        message: &[u8],
    ) -> io::Result<()> {
        let folder = match &self.current {
            Some((name, folder)) if name == mailbox => folder.clone(),
            _ => {
                let folder = self.root.join(folder_name(mailbox));
                for sub in ["cur", "new", "tmp"] {
                    fs::create_dir_all(folder.join(sub))?;
                }
                self.current = Some((mailbox.to_string(), folder.clone()));
                folder
            }
        };
        let base = format!("{internal_date}.P{}Q{uid}.postroom", std::process::id());
        let tmp = folder.join("tmp").join(&base);
        let mut file = File::create(&tmp)?;
        file.write_all(message)?;
        let time = UNIX_EPOCH + Duration::from_secs(u64::try_from(internal_date).unwrap_or(0));
        file.set_modified(time)?;
        file.sync_all()?;
        drop(file);
        fs::rename(
            &tmp,
            folder
                .join("cur")
                .join(format!("{base}:2,{}", letters(flags))),
        )
    }
}

/// `""` for INBOX, `.Work.&mHl27g-` for `Work/项目`.
fn folder_name(mailbox: &str) -> String {
    if mailbox.eq_ignore_ascii_case("INBOX") {
        return String::new();
    }
    let levels: Vec<String> = mailbox.split('/').map(proto::imap::mutf7::encode).collect();
    format!(".{}", levels.join("."))
}

/// The Maildir info letters of IMAP flags, in ASCII order as the format asks: D draft,
/// F flagged, P passed ($Forwarded), R replied (\Answered), S seen, T trashed (\Deleted).
/// Other keywords have no letter (Dovecot keeps them in a dovecot-keywords file).
fn letters(flags: &[String]) -> String {
    let mut out: Vec<char> = flags
        .iter()
        .filter_map(|f| match f.to_ascii_lowercase().as_str() {
            "\\draft" => Some('D'),
            "\\flagged" => Some('F'),
            "$forwarded" => Some('P'),
            "\\answered" => Some('R'),
            "\\seen" => Some('S'),
            "\\deleted" => Some('T'),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_land_in_cur_with_their_flags_and_date_and_folders_as_dovecot_names_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = MaildirWriter::new(dir.path());
        let flags = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        w.write(
            "INBOX",
            1,
            &flags(&["\\Seen", "\\Flagged", "$Work"]),
            1_796_637_600,
            b"a",
        )
        .expect("write");
        w.write("Work/项目", 7, &flags(&[]), 1_796_637_601, b"b")
            .expect("write");
        let inbox: Vec<_> = fs::read_dir(dir.path().join("cur")).expect("cur").collect();
        assert_eq!(inbox.len(), 1);
        let entry = inbox.into_iter().next().expect("one").expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            name.starts_with("1796637600.") && name.ends_with(":2,FS"),
            "{name}"
        );
        let modified = entry.metadata().expect("meta").modified().expect("mtime");
        assert_eq!(modified, UNIX_EPOCH + Duration::from_secs(1_796_637_600));
        assert_eq!(
            fs::read_dir(dir.path().join(".Work.&mHl27g-/cur"))
                .expect("folder")
                .count(),
            1
        );
        assert_eq!(
            fs::read_dir(dir.path().join("tmp")).expect("tmp").count(),
            0
        );
        // What we write, our import reads back the same.
        let back: Vec<_> = crate::import::maildir(dir.path())
            .expect("a maildir")
            .collect::<Result<_, _>>()
            .expect("readable");
        assert_eq!(back[0].flags, ["\\Flagged", "\\Seen"]);
        assert_eq!(back[0].internal_date, Some(1_796_637_600));
        assert_eq!(back[1].folder, "Work/项目");
    }
}
