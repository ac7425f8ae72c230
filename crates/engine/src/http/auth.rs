//! Who may use the admin API: the bearer token in `DATA_DIR/admin-token` (made on first
//! start, readable by its owner only), session cookies handed out for that token, and
//! one-time sign-in links (`postroom admin open`) kept in `DATA_DIR/admin-signin` so that
//! another process can make them.
//!
//! A session ends after `[limits] admin_session_idle_secs` unused (each use starts that
//! again) and [`SESSION_LIFETIME`] after sign-in whatever its use. A sign-in code is checked
//! and removed in one step, under a lock on `admin-signin.lock` that every process making or
//! using codes takes: two requests with the same code cannot both be signed in.

use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use rand::RngCore;

use super::Admin;
use crate::Config;

pub(crate) const TOKEN_FILE: &str = "admin-token";
const SIGNIN_FILE: &str = "admin-signin";
/// Held (an OS file lock) while the sign-in codes are read and rewritten.
const SIGNIN_LOCK: &str = "admin-signin.lock";
/// The longest a session lasts, used or not.
pub(super) const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// The most sessions kept; past it the least recently used one ends.
const MAX_SESSIONS: usize = 1000;
/// The session cookie's name.
pub(super) const COOKIE: &str = "postroom_session";
/// How long a sign-in link works.
const SIGNIN_SECS: i64 = 300;

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Writes a new file readable by its owner only; fails if it exists.
fn create_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

/// Writes `path` readable by its owner only, replacing it whole ([`files::write_atomic`]).
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    files::write_atomic(path, contents.as_bytes())
}

/// The admin API's token (64 hex digits), made on first use.
pub fn admin_token(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join(TOKEN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_string()),
        Ok(_) => std::fs::remove_file(&path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(data_dir)?;
    let token = random_hex(32);
    match create_private(&path, &format!("{token}\n")) {
        Ok(()) => Ok(token),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok(std::fs::read_to_string(&path)?.trim().to_string())
        }
        Err(e) => Err(e),
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A link that signs a browser in once, within five minutes, to the first `[listen] admin`
/// address. `None` when the admin API is off.
pub fn signin_url(data_dir: &Path, config: &Config) -> std::io::Result<Option<String>> {
    let Some(addr) = config.listen.admin.first() else {
        return Ok(None);
    };
    signin_url_at(data_dir, *addr).map(Some)
}

/// A link that signs a browser in once, within five minutes, to the admin listener at `addr`
/// (the desktop app's private one, see [`crate::EngineHandle::serve_admin`]).
pub fn signin_url_at(data_dir: &Path, addr: std::net::SocketAddr) -> std::io::Result<String> {
    let code = random_hex(16);
    let now = unix_now();
    let _locked = lock_codes(data_dir)?;
    // Keep the codes that still work, add this one.
    let mut lines: Vec<String> = read_codes(data_dir)
        .into_iter()
        .filter(|(_, expires)| *expires > now)
        .map(|(c, e)| format!("{c} {e}"))
        .collect();
    lines.push(format!("{code} {}", now + SIGNIN_SECS));
    write_codes(data_dir, &lines)?;
    let mut host = addr;
    if host.ip().is_unspecified() {
        host.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let scheme = if addr.ip().is_loopback() || addr.ip().is_unspecified() {
        "http"
    } else {
        "https"
    };
    Ok(format!("{scheme}://{host}/signin?code={code}"))
}

/// An exclusive lock on the codes file, across processes, until dropped.
fn lock_codes(data_dir: &Path) -> std::io::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(SIGNIN_LOCK))?;
    file.lock()?;
    Ok(file)
}

/// Uses up `code` if it is one that still works; whether it was. The check and the removal
/// happen under the codes' lock.
fn redeem_code(data_dir: &Path, code: &str) -> std::io::Result<bool> {
    let _locked = lock_codes(data_dir)?;
    let now = unix_now();
    let codes = read_codes(data_dir);
    let valid = codes
        .iter()
        .any(|(c, expires)| *expires > now && same(c, code));
    if valid {
        let rest: Vec<String> = codes
            .into_iter()
            .filter(|(c, expires)| *expires > now && !same(c, code))
            .map(|(c, e)| format!("{c} {e}"))
            .collect();
        write_codes(data_dir, &rest)?;
    }
    Ok(valid)
}

fn read_codes(data_dir: &Path) -> Vec<(String, i64)> {
    std::fs::read_to_string(data_dir.join(SIGNIN_FILE))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (code, expires) = line.split_once(' ')?;
            Some((code.to_string(), expires.parse().ok()?))
        })
        .collect()
}

fn write_codes(data_dir: &Path, lines: &[String]) -> std::io::Result<()> {
    let mut text = lines.join("\n");
    text.push('\n');
    write_private(&data_dir.join(SIGNIN_FILE), &text)
}

/// One signed-in browser.
struct Session {
    id: String,
    signed_in: Instant,
    used: Instant,
}

/// The live sessions.
#[derive(Default)]
pub(super) struct Sessions(Mutex<Vec<Session>>);

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, Vec<Session>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, id: String, now: Instant, idle: Duration) {
        let mut sessions = self.lock();
        sessions.retain(|s| live(s, now, idle));
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .enumerate()
                .min_by_key(|(_, s)| s.used)
                .map(|(i, _)| i)
        {
            sessions.swap_remove(oldest);
        }
        sessions.push(Session {
            id,
            signed_in: now,
            used: now,
        });
    }

    /// Whether `id` is a live session; if so its idle time starts again. Every session is
    /// compared (in constant time), so the answer's time tells nothing about the others.
    fn use_session(&self, id: &str, now: Instant, idle: Duration) -> bool {
        let mut sessions = self.lock();
        sessions.retain(|s| live(s, now, idle));
        let mut found = false;
        for session in sessions.iter_mut() {
            if same(&session.id, id) {
                session.used = now;
                found = true;
            }
        }
        found
    }

    fn remove(&self, id: &str) {
        self.lock().retain(|s| !same(&s.id, id));
    }
}

fn live(session: &Session, now: Instant, idle: Duration) -> bool {
    now.saturating_duration_since(session.used) < idle
        && now.saturating_duration_since(session.signed_in) < SESSION_LIFETIME
}

/// Byte comparison whose time does not depend on where the inputs differ (for secrets).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Admin {
    /// The request carries the token or a live session cookie.
    pub(super) fn authorized(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if bearer.is_some_and(|t| same(t.trim(), &self.state().token)) {
            return true;
        }
        match session_cookie(headers) {
            Some(id) => self
                .state()
                .sessions
                .use_session(&id, Instant::now(), self.session_idle()),
            None => false,
        }
    }

    fn session_idle(&self) -> Duration {
        Duration::from_secs(self.engine.config().limits.admin_session_idle_secs)
    }

    pub(super) fn token_matches(&self, token: &str) -> bool {
        same(token.trim(), &self.state().token)
    }

    /// A new session; returns the `Set-Cookie` value (`Secure` when served over HTTPS).
    pub(super) fn new_session(&self, https: bool) -> String {
        let id = random_hex(32);
        let cookie = set_cookie(&id, https);
        self.state()
            .sessions
            .add(id, Instant::now(), self.session_idle());
        cookie
    }

    pub(super) fn end_session(&self, headers: &HeaderMap) {
        if let Some(id) = session_cookie(headers) {
            self.state().sessions.remove(&id);
        }
    }

    /// Uses up a sign-in code; whether it was valid.
    pub(super) async fn redeem(&self, code: &str) -> bool {
        let (dir, code) = (self.engine.data_dir().to_path_buf(), code.to_string());
        // The file lock may wait for another process: not on the reactor.
        match tokio::task::spawn_blocking(move || redeem_code(&dir, &code)).await {
            Ok(Ok(valid)) => valid,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot update the sign-in codes");
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, "checking a sign-in code failed");
                false
            }
        }
    }
}

/// The `Set-Cookie` value of a session: never readable by scripts, never sent cross-site, and
/// over HTTPS never sent over plain HTTP.
fn set_cookie(id: &str, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/{secure}")
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_session_cookie_is_secure_over_https_and_never_readable_by_scripts() {
        let plain = set_cookie("abc", false);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        assert!(set_cookie("abc", true).ends_with("; Secure"));
    }

    use super::*;

    #[test]
    fn the_token_is_made_once_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let token = admin_token(dir.path()).expect("token");
        assert_eq!(token.len(), 64);
        assert_eq!(admin_token(dir.path()).expect("again"), token);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(TOKEN_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_session_ends_when_idle_and_at_its_lifetime_and_use_extends_it() {
        let sessions = Sessions::default();
        let t = Instant::now();
        let idle = Duration::from_secs(60);
        sessions.add("a".repeat(64), t, idle);
        assert!(sessions.use_session(&"a".repeat(64), t + Duration::from_secs(59), idle));
        // Used at 59 s: still live at 118 s, not at 120 s.
        assert!(sessions.use_session(&"a".repeat(64), t + Duration::from_secs(118), idle));
        assert!(!sessions.use_session(&"a".repeat(64), t + Duration::from_secs(179), idle));
        // However often used, it ends at its lifetime.
        sessions.add("b".repeat(64), t, SESSION_LIFETIME * 2);
        let mut at = t;
        while at < t + SESSION_LIFETIME - Duration::from_secs(3600) {
            at += Duration::from_secs(3600);
            assert!(sessions.use_session(&"b".repeat(64), at, SESSION_LIFETIME * 2));
        }
        let end = t + SESSION_LIFETIME;
        assert!(!sessions.use_session(&"b".repeat(64), end, SESSION_LIFETIME * 2));
        assert!(!sessions.use_session("c", t, idle));
    }

    #[test]
    fn a_code_is_redeemed_once_even_by_parallel_requests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = signin_url_at(dir.path(), "127.0.0.1:8088".parse().expect("addr")).expect("url");
        let code = url.rsplit_once("code=").expect("code").1.to_string();
        let redeemed: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| redeem_code(dir.path(), &code).expect("redeem")))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("join"))
                .collect()
        });
        assert_eq!(redeemed.iter().filter(|ok| **ok).count(), 1, "{redeemed:?}");
        assert!(!redeem_code(dir.path(), "0123").expect("redeem"));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "a=1; postroom_session=abc; b=2".parse().expect("header"),
        );
        assert_eq!(session_cookie(&headers).as_deref(), Some("abc"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
