//! Maildir folders (cr.yp.to's maildir, and Maildir++ sub-folders `.Name.Sub` as Dovecot and
//! Courier keep them): each message is a file in `cur/` or `new/`; its flags are the letters
//! after `:2,` in the file name, its internal date the file's modification time.

use std::fs;
use std::path::{Path, PathBuf};

use super::{ImportError, Imported, crlf, modified, read_error};

/// Every message of the Maildir at `root` and of its Maildir++ sub-folders (`.Sent` →
/// folder `Sent`, `.Work.2026` → `Work/2026`). Read lazily, one file at a time.
pub fn maildir(
    root: &Path,
) -> Result<impl Iterator<Item = Result<Imported, ImportError>>, ImportError> {
    if !root.join("cur").is_dir() && !root.join("new").is_dir() {
        return Err(ImportError::NotA {
            path: root.to_path_buf(),
            what: "a Maildir (it has no cur/ or new/ folder)",
        });
    }
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut folders = vec![(String::new(), root.to_path_buf())];
    for entry in fs::read_dir(root).map_err(|e| read_error(root, e))? {
        let entry = entry.map_err(|e| read_error(root, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(sub) = name.strip_prefix('.')
            && !sub.is_empty()
            && entry.path().join("cur").is_dir()
        {
            folders.push((folder_name(sub), entry.path()));
        }
    }
    folders.sort();
    for (folder, dir) in folders {
        for part in ["new", "cur"] {
            let Ok(entries) = fs::read_dir(dir.join(part)) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            names.sort();
            files.extend(names.into_iter().map(|p| (folder.clone(), p)));
        }
    }
    Ok(files.into_iter().map(|(folder, path)| {
        let bytes = fs::read(&path).map_err(|e| read_error(&path, e))?;
        let internal_date = modified(&path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(Imported {
            folder,
            message: crlf(&bytes),
            flags: flags(name.as_deref().unwrap_or("")),
            internal_date,
        })
    }))
}

/// `.Work.项目` on disk is `Work.&mdFbrg-` (Maildir++ uses `.` between levels and, in
/// Dovecot's default layout, modified UTF-7 for names, RFC 3501 §5.1.3): `Work/项目`.
fn folder_name(on_disk: &str) -> String {
    on_disk
        .split('.')
        .map(|part| proto::imap::mutf7::decode(part.as_bytes()).unwrap_or_else(|| part.to_string()))
        .collect::<Vec<_>>()
        .join("/")
}

/// The flags after `:2,` (`!2,` on Windows, where `:` is not allowed in file names):
/// D draft, F flagged, P passed (forwarded), R replied, S seen, T trashed; lower-case
/// letters are Dovecot's keywords, whose names live in dovecot-keywords and are not known
/// here.
fn flags(name: &str) -> Vec<String> {
    let Some((_, info)) = name.rsplit_once(":2,").or_else(|| name.rsplit_once("!2,")) else {
        return Vec::new();
    };
    info.chars()
        .filter_map(|c| match c {
            'D' => Some("\\Draft"),
            'F' => Some("\\Flagged"),
            'P' => Some("$Forwarded"),
            'R' => Some("\\Answered"),
            'S' => Some("\\Seen"),
            'T' => Some("\\Deleted"),
            _ => None,
        })
        .map(str::to_string)
        .collect()
}
