//! Password rules and argon2id hashing. Hashing and verifying take tens of milliseconds on
//! purpose, so they run on blocking threads, never on the reactor or the writer thread.

use std::sync::{Arc, Mutex, OnceLock, mpsc};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use tokio::sync::oneshot;

use crate::{Result, StoreError, address};

/// Well-known passwords (lowercase) that pass the length rule but are guessed first.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "qwerty123",
    "qwertyuiop",
    "qwertyui",
    "1q2w3e4r",
    "1qaz2wsx",
    "abcd1234",
    "abc12345",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "letmein1",
    "trustno1",
    "superman",
    "starwars",
    "whatever",
    "changeme",
    "admin123",
    "administrator",
    "asdfghjkl",
    "zaq12wsx",
    "michael1",
    "dragon123",
    "postroom",
];

/// Password rules: see [`crate::check_password`].
pub(crate) fn check(address: &str, password: &str) -> Result<()> {
    let weak = |why: &str| Err(StoreError::Invalid(why.to_string()));
    if password.is_empty() {
        return weak("the password is empty");
    }
    if password.chars().count() < 8 {
        return weak("the password is too short: at least 8 characters");
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return weak("the password is one character repeated");
    }
    let lower = password.to_lowercase();
    let address = address::normalize(address);
    let local = address
        .rsplit_once('@')
        .map_or(address.as_str(), |(local, _)| local);
    if lower == address || lower == local {
        return weak("the password must not be the address or its name part");
    }
    if COMMON.contains(&lower.as_str()) {
        return weak("the password is too common; choose another");
    }
    Ok(())
}

/// How many threads hash passwords.
///
/// argon2id with the default parameters needs 19 MiB per hash, and glibc keeps freed memory in
/// per-thread arenas: hashing on tokio's blocking threads (up to 512) made RSS grow by about
/// 19 MiB for every thread that ever hashed (hundreds of MiB after a few hundred logins). A
/// small pool of its own keeps that to `HASHERS` × 19 MiB and also caps the CPU a password-
/// guessing flood can take.
const HASHERS: usize = 2;

type HashJob = Box<dyn FnOnce() + Send>;

/// Runs `work` on the hashing pool.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    static POOL: OnceLock<Mutex<mpsc::Sender<HashJob>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<HashJob>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..HASHERS {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Mutex::new(jobs)
    });
    let (reply, answer) = oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = reply.send(work());
    });
    let sent = pool
        .lock()
        .map(|jobs| jobs.send(job).is_ok())
        .unwrap_or(false);
    if !sent {
        return Err(crate::writer::internal_error(
            "password hashing is unavailable",
        ));
    }
    answer
        .await
        .map_err(|_| crate::writer::internal_error("password hashing failed"))
}

/// Hashes with argon2id (default parameters) and a random salt, as a PHC string.
pub(crate) async fn hash(password: String) -> Result<String> {
    on_hasher(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| {
            StoreError::Io(std::io::Error::other(format!(
                "hashing the password failed: {e}"
            )))
        })
}

/// Whether `password` matches the stored PHC string; with `None` (no such account) it
/// verifies against a dummy hash anyway, so an unknown user takes as long as a wrong password.
pub(crate) async fn verify(stored: Option<String>, password: String) -> Result<bool> {
    on_hasher(move || {
        let dummy = stored.is_none();
        let stored = match stored {
            Some(stored) => stored,
            None => dummy_hash()?.to_string(),
        };
        let matches = match PasswordHash::new(&stored) {
            Ok(parsed) => matches_with_reused_memory(&parsed, password.as_bytes()),
            Err(e) => {
                tracing::warn!(error = %e, "a stored password hash is unreadable");
                false
            }
        };
        Ok(matches && !dummy)
    })
    .await?
}

/// Verifies like `Argon2::verify_password`, but in a block buffer that this hashing thread
/// keeps: a fresh 19 MiB allocation per login left glibc arenas holding far more than that.
fn matches_with_reused_memory(parsed: &PasswordHash<'_>, password: &[u8]) -> bool {
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or_default();
    let Ok(params) = argon2::Params::try_from(parsed) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks_needed = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let hashed = BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() != blocks_needed {
            blocks.clear();
            blocks.shrink_to_fit();
            blocks.resize(blocks_needed, argon2::Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..])
    });
    if hashed.is_err() {
        return false;
    }
    // Output's equality is constant-time.
    argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected)
}

/// A hash of a random password, made once, with the same parameters as real ones.
fn dummy_hash() -> Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let made = hash_now(SaltString::generate(&mut OsRng).as_str())?;
    Ok(DUMMY.get_or_init(|| made))
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::PasswordVerifier;

    use super::*;

    #[test]
    fn verifying_in_reused_memory_agrees_with_argon2() -> Result<()> {
        let stored = hash_now("correct horse battery")?;
        let parsed = PasswordHash::new(&stored).map_err(|e| StoreError::Invalid(e.to_string()))?;
        // Twice each: the second run reuses the thread's block buffer.
        for _ in 0..2 {
            assert!(matches_with_reused_memory(
                &parsed,
                b"correct horse battery"
            ));
            assert!(!matches_with_reused_memory(
                &parsed,
                b"correct horse batterz"
            ));
        }
        let argon2_says = Argon2::default().verify_password(b"correct horse battery", &parsed);
        assert!(argon2_says.is_ok());
        Ok(())
    }

    #[test]
    fn password_rules_name_the_problem() {
        let msg = |p: &str| check("alice@example.test", p).err().map(|e| e.to_string());
        assert_eq!(msg(""), Some("the password is empty".into()));
        assert!(msg("short").is_some_and(|m| m.contains("too short")));
        assert!(msg("aaaaaaaaaa").is_some_and(|m| m.contains("repeated")));
        assert!(msg("Alice@Example.test").is_some_and(|m| m.contains("address")));
        assert!(check("alicealice@example.test", "ALICEALICE").is_err());
        assert!(msg("Password").is_some_and(|m| m.contains("common")));
        assert!(msg("qwerty123").is_some());
        assert_eq!(msg("correct horse battery"), None);
    }
}
