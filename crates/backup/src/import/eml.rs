//! `.eml` files: one message per file. A folder is read with its sub-folders, all into the
//! same mailbox (hMailServer's `Data/<domain>/<user>/<xx>/` folders are storage buckets,
//! not mail folders); the internal date is the file's modification time.

use std::fs;
use std::path::{Path, PathBuf};

use super::{ImportError, Imported, crlf, modified, read_error};

pub fn eml(
    path: &Path,
) -> Result<impl Iterator<Item = Result<Imported, ImportError>>, ImportError> {
    let mut files = Vec::new();
    if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        let mut dirs = vec![path.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).map_err(|e| read_error(&dir, e))? {
                let entry = entry.map_err(|e| read_error(&dir, e))?;
                let p = entry.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if is_eml(&p) {
                    files.push(p);
                }
            }
        }
        files.sort();
    }
    Ok(files.into_iter().map(read))
}

fn is_eml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
}

fn read(path: PathBuf) -> Result<Imported, ImportError> {
    let bytes = fs::read(&path).map_err(|e| read_error(&path, e))?;
    let internal_date = modified(&path);
    Ok(Imported {
        folder: String::new(),
        message: crlf(&bytes),
        flags: Vec::new(),
        internal_date,
    })
}
