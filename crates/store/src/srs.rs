//! The Sender Rewriting Scheme (SRS, as libsrs2 and postsrsd implement it): mail from the
//! Internet that one of our aliases forwards outside leaves with the envelope sender
//! `SRS0=HHHHHHHH=TT=orig-domain=orig-local@our-domain`, so SPF checks the forwarder (us), and
//! a bounce comes back to us; we check the hash and the age and send it on to the original
//! sender. A forged or expired SRS address is refused (it would make us an open relay).
//!
//! `HHHHHHHH` is an HMAC-SHA256 (keyed by a secret made on first use and kept, 0600, beside
//! the database) over the timestamp, domain and local part, in base32; `TT` is the day number
//! modulo 1024 in base32. Both are case-insensitive, since a relay may lowercase local parts.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::hmac;

use crate::{Result, StoreError};

/// How long an SRS address is honoured (postsrsd's default).
pub const MAX_AGE_DAYS: u32 = 21;

/// Base32 characters of the hash: 40 bits.
const HASH_LEN: usize = 8;

/// RFC 4648 §6 alphabet, lowercase (compared case-insensitively).
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Why an SRS address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrsError {
    /// Not of the form `SRS0=hash=tt=domain=local`.
    #[error("malformed SRS address")]
    Malformed,
    /// The hash does not match: not made by us.
    #[error("SRS address not made here")]
    BadHash,
    /// Older than [`MAX_AGE_DAYS`] (or from the future).
    #[error("SRS address expired")]
    Expired,
}

/// Whether the local part of `address` is an SRS0 address (of anyone's).
pub fn is_srs(address: &str) -> bool {
    address.len() > 5 && address.as_bytes()[..5].eq_ignore_ascii_case(b"srs0=")
}

/// The SRS keys and the day clock.
pub(crate) struct Srs {
    key: hmac::Key,
}

impl Srs {
    pub(crate) fn new(secret: &[u8]) -> Srs {
        Srs {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// Loads the secret kept beside the database at `path`, making it on first use.
    pub(crate) fn load(path: &Path) -> Result<Srs> {
        Ok(Srs::new(&load_or_make_secret(path)?))
    }

    /// `sender` rewritten for forwarding by `domain` (one of ours), on day `today`.
    pub(crate) fn forward(&self, sender: &str, domain: &str, today: u64) -> Option<String> {
        let (local, orig_domain) = sender.rsplit_once('@')?;
        let tt = day_code(today);
        let hash = self.hash(&tt, orig_domain, local);
        Some(format!("SRS0={hash}={tt}={orig_domain}={local}@{domain}"))
    }

    /// The original sender of an SRS0 address (`SRS0=...@our-domain`), if we made it within
    /// [`MAX_AGE_DAYS`] of `today`.
    pub(crate) fn reverse(
        &self,
        address: &str,
        today: u64,
    ) -> std::result::Result<String, SrsError> {
        let (local, _) = address.rsplit_once('@').ok_or(SrsError::Malformed)?;
        if !is_srs(local) {
            return Err(SrsError::Malformed);
        }
        // The original local part may itself contain '=': split off the first three fields.
        let mut fields = local[5..].splitn(4, '=');
        let (Some(hash), Some(tt), Some(domain), Some(orig_local)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(SrsError::Malformed);
        };
        if tt.len() != 2 || domain.is_empty() || orig_local.is_empty() || hash.len() != HASH_LEN {
            return Err(SrsError::Malformed);
        }
        let expected = self.hash(&tt.to_ascii_lowercase(), domain, orig_local);
        // Constant-time comparison of the hash (ring's HMAC verify would need the full tag).
        let same = expected
            .bytes()
            .zip(hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b.to_ascii_lowercase()));
        if same != 0 {
            return Err(SrsError::BadHash);
        }
        let stamp = decode_day(tt).ok_or(SrsError::Malformed)?;
        let age = (today % 1024 + 1024 - stamp) % 1024;
        if age > u64::from(MAX_AGE_DAYS) {
            return Err(SrsError::Expired);
        }
        Ok(format!("{orig_local}@{domain}"))
    }

    fn hash(&self, tt: &str, domain: &str, local: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        for part in [tt, domain, local] {
            ctx.update(part.to_ascii_lowercase().as_bytes());
            ctx.update(b"\0");
        }
        let tag = ctx.sign();
        // 5 bits a character from the tag's first bytes.
        let bits = tag.as_ref()[..5]
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        (0..HASH_LEN)
            .map(|i| BASE32[((bits >> (35 - 5 * i)) & 31) as usize] as char)
            .collect()
    }
}

/// Days since 1970 (UTC).
pub(crate) fn today() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400)
}

fn day_code(day: u64) -> String {
    let d = day % 1024;
    [
        BASE32[(d >> 5) as usize] as char,
        BASE32[(d & 31) as usize] as char,
    ]
    .iter()
    .collect()
}

fn decode_day(tt: &str) -> Option<u64> {
    let value = |c: u8| {
        BASE32
            .iter()
            .position(|&b| b == c.to_ascii_lowercase())
            .map(|p| p as u64)
    };
    let b = tt.as_bytes();
    Some(value(b[0])? << 5 | value(b[1])?)
}

/// The secret's file: `<database>-srs-secret` beside the database.
pub(crate) fn secret_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.file_name().unwrap_or_default().to_os_string();
    name.push("-srs-secret");
    db_path.with_file_name(name)
}

/// Reads the secret, or makes 32 random bytes and keeps them (owner-only on Unix). Two
/// processes starting at once agree: the file appears whole (written aside, then linked in
/// place, which fails if the other one won) and the loser reads the winner's.
fn load_or_make_secret(path: &Path) -> Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(secret) if secret.len() >= 32 => return Ok(secret),
        Ok(_) => {
            return Err(StoreError::Invalid(format!(
                "{} is too short to be an SRS secret; delete it to make a new one",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let secret: [u8; 32] = rand::random();
    let mut aside = path.as_os_str().to_os_string();
    aside.push(format!(".{}.tmp", std::process::id()));
    let aside = PathBuf::from(aside);
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&aside)?;
        file.write_all(&secret)?;
        file.sync_all()?;
    }
    let linked = std::fs::hard_link(&aside, path);
    let _ = std::fs::remove_file(&aside);
    match linked {
        Ok(()) => Ok(secret.to_vec()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(std::fs::read(path)?),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_then_reverse_gives_the_sender_back_for_21_days() {
        let srs = Srs::new(b"k");
        let day = 20_000;
        let rewritten = srs
            .forward("Alice=x@Remote.test", "ours.test", day)
            .expect("srs");
        assert!(rewritten.starts_with("SRS0="), "{rewritten}");
        assert!(
            rewritten.ends_with("=Remote.test=Alice=x@ours.test"),
            "{rewritten}"
        );
        assert_eq!(
            srs.reverse(&rewritten.to_ascii_lowercase(), day + 21),
            Ok("alice=x@remote.test".to_string())
        );
        assert_eq!(srs.reverse(&rewritten, day + 22), Err(SrsError::Expired));
        // Across the 1024-day wrap of the timestamp.
        let late = srs.forward("a@r.test", "o.test", 1023).expect("srs");
        assert!(srs.reverse(&late, 1025).is_ok());
    }

    #[test]
    fn forged_and_malformed_addresses_are_refused() {
        let srs = Srs::new(b"k");
        let other = Srs::new(b"another key");
        let forged = other.forward("a@r.test", "o.test", 5).expect("srs");
        assert_eq!(srs.reverse(&forged, 5), Err(SrsError::BadHash));
        for bad in [
            "SRS0=x@o.test",
            "SRS0=aaaaaaaa=aa=r.test@o.test",
            "a@o.test",
            "SRS0=",
        ] {
            assert_eq!(srs.reverse(bad, 5), Err(SrsError::Malformed), "{bad}");
        }
    }

    #[test]
    fn the_secret_is_made_once_and_kept_owner_only() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let path = secret_path(&dir.path().join("postroom.db"));
        let first = load_or_make_secret(&path)?;
        assert_eq!(load_or_make_secret(&path)?, first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path)?.permissions().mode() & 0o777,
                0o600
            );
        }
        Ok(())
    }
}
