//! mbox files: messages separated by `From ` lines (RFC 4155). Reads the mboxrd quoting
//! (`>From ` with any number of `>`, as our `export` writes it) and therefore mboxo's too,
//! the flags that mail programs keep in `Status`, `X-Status` and `X-Mozilla-Status` (which
//! are then dropped: they describe the mbox, not the message), and the date of the `From `
//! line as the internal date.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::{ImportError, Imported, crlf, read_error};

/// The messages of one mbox file, in order.
pub struct Mbox {
    reader: BufReader<File>,
    path: std::path::PathBuf,
    /// The `From ` line that starts the next message.
    next_from: Option<Vec<u8>>,
    done: bool,
}

impl Mbox {
    pub fn open(path: &Path) -> Result<Mbox, ImportError> {
        let file = File::open(path).map_err(|e| read_error(path, e))?;
        let mut mbox = Mbox {
            reader: BufReader::new(file),
            path: path.to_path_buf(),
            next_from: None,
            done: false,
        };
        // RFC 4155 §2: the file starts with a From line; anything else is not an mbox.
        let mut first = Vec::new();
        loop {
            first.clear();
            let n = mbox
                .reader
                .read_until(b'\n', &mut first)
                .map_err(|e| read_error(path, e))?;
            if n == 0 {
                mbox.done = true;
                return Ok(mbox);
            }
            if !first.iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
        if !first.starts_with(b"From ") {
            return Err(ImportError::NotA {
                path: path.to_path_buf(),
                what: "an mbox file (it must start with a \"From \" line)",
            });
        }
        mbox.next_from = Some(first);
        Ok(mbox)
    }
}

impl Iterator for Mbox {
    type Item = Result<Imported, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let from_line = self.next_from.take()?;
        let mut lines: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut line = Vec::new();
            match self.reader.read_until(b'\n', &mut line) {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(read_error(&self.path, e)));
                }
            }
            // A From line after a blank line (or as the very next line) starts the next
            // message (RFC 4155 §2); the blank line belongs to the separator.
            let after_blank = lines.last().is_none_or(|l| is_blank(l));
            if line.starts_with(b"From ") && after_blank {
                if lines.last().is_some_and(|l| is_blank(l)) {
                    lines.pop();
                }
                self.next_from = Some(line);
                break;
            }
            lines.push(line);
        }
        Some(Ok(message(&from_line, lines)))
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// One message from its From line and its lines: quoting undone, flags taken from (and
/// mbox headers dropped from) the header section.
fn message(from_line: &[u8], lines: Vec<Vec<u8>>) -> Imported {
    let mut flags = Vec::new();
    let mut out = Vec::new();
    let mut in_header = true;
    let mut skipping = false;
    for line in lines {
        if in_header {
            if is_blank(&line) {
                in_header = false;
                skipping = false;
            } else if skipping && matches!(line.first(), Some(b' ' | b'\t')) {
                continue;
            } else {
                skipping = false;
                if let Some((name, value)) = field(&line)
                    && mbox_flags(&name, &value, &mut flags)
                {
                    skipping = true;
                    continue;
                }
            }
        }
        out.extend_from_slice(unquote(&line));
    }
    flags.sort();
    flags.dedup();
    Imported {
        folder: String::new(),
        message: crlf(&out),
        flags,
        internal_date: from_line_date(from_line),
    }
}

/// `>From ` → `From `, `>>From ` → `>From `: mboxrd's quoting, one `>` less.
fn unquote(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

fn field(line: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(line).ok()?;
    let (name, value) = text.split_once(':')?;
    Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
}

/// Reads the flags an mbox header field holds; whether it is such a field (to be dropped).
fn mbox_flags(name: &str, value: &str, flags: &mut Vec<String>) -> bool {
    let mut add = |flag: &str| flags.push(flag.to_string());
    match name {
        // Status: R (read), O (old: not \Recent). X-Status: A (answered), F (flagged),
        // T (draft), D (deleted): the letters mutt, Pine and Dovecot's mbox write.
        "status" | "x-status" => {
            for c in value.chars() {
                match c {
                    'R' => add("\\Seen"),
                    'A' => add("\\Answered"),
                    'F' => add("\\Flagged"),
                    'T' => add("\\Draft"),
                    'D' => add("\\Deleted"),
                    _ => {}
                }
            }
            true
        }
        // Thunderbird: a hexadecimal bit set (0x1 read, 0x2 replied, 0x4 marked, 0x1000
        // forwarded; 0x8 is a message expunged from the folder but not yet compacted).
        "x-mozilla-status" => {
            let bits = u32::from_str_radix(value, 16).unwrap_or(0);
            for (bit, flag) in [
                (0x1, "\\Seen"),
                (0x2, "\\Answered"),
                (0x4, "\\Flagged"),
                (0x8, "\\Deleted"),
                (0x1000, "$Forwarded"),
            ] {
                if bits & bit != 0 {
                    add(flag);
                }
            }
            true
        }
        "x-mozilla-status2" | "x-uid" | "x-imapbase" | "content-length" | "x-keywords" => {
            if name == "x-keywords" {
                for keyword in value.split([' ', ',']).filter(|k| valid_keyword(k)) {
                    add(keyword);
                }
            }
            true
        }
        _ => false,
    }
}

/// An IMAP keyword atom (RFC 9051 §9 flag-keyword): no specials, no `\`.
fn valid_keyword(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 100
        && k.bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b))
}

/// The asctime date at the end of a From line (`From a@b Mon Dec  7 10:00:00 2026`), as
/// Unix seconds in UTC; `None` if it has none.
fn from_line_date(line: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(line).ok()?;
    let words: Vec<&str> = text.split_whitespace().collect();
    // From, sender, weekday, month, day, time, year (some writers add a zone after it).
    let at = words
        .iter()
        .position(|w| MONTHS.iter().any(|m| w.eq_ignore_ascii_case(m)))?;
    let month = MONTHS
        .iter()
        .position(|m| words[at].eq_ignore_ascii_case(m))?;
    let day: u8 = words.get(at + 1)?.parse().ok()?;
    let mut clock = words.get(at + 2)?.split(':').map(|p| p.parse::<u8>().ok());
    let (h, m) = (clock.next()??, clock.next()??);
    let s = clock.next().flatten().unwrap_or(0);
    let year: i32 = words.get(at + 3)?.parse().ok()?;
    let date = time::Date::from_calendar_date(
        year,
        time::Month::try_from(u8::try_from(month + 1).ok()?).ok()?,
        day,
    )
    .ok()?;
    let moment = date.with_hms(h, m, s).ok()?.assume_utc();
    Some(moment.unix_timestamp())
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
