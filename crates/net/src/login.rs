//! Logins, the same for every protocol (SMTP AUTH, IMAP LOGIN/AUTHENTICATE, POP3 USER/PASS
//! and AUTH): when a password may be sent, the lockout, the password check and the delay
//! after a failure. [`authenticate`] logs and counts a refused login itself and returns an
//! [`Outcome`] that each protocol words in its own replies.

use std::fmt::Display;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use event::Protocol;

use crate::lockout::{Locked, Lockout};
use crate::session::sanitize;

/// What a login attempt came to.
#[derive(Debug)]
#[must_use]
pub enum Outcome<A, E> {
    /// The password was right.
    Ok(A),
    /// A password may not travel over this connection (no TLS): it was not looked at.
    PlaintextRefused,
    /// Too many failures ([`Lockout`]): refused before the password was looked at, so
    /// while locked even the right one fails. `Locked::Slowed` is the account's delay.
    Locked(Locked),
    /// Wrong user name or password; the answer was already delayed by the lockout's
    /// per-failure delay.
    BadCredentials,
    /// The password could not be checked (the store failed); temporary.
    Failed(E),
}

/// One login attempt: who tries, in which session, from where, and whether a password may
/// travel over this connection.
#[derive(Debug, Clone, Copy)]
pub struct Login<'a> {
    pub protocol: Protocol,
    /// The session's id, as its log lines show it.
    pub session: &'a str,
    pub peer: SocketAddr,
    pub user: &'a str,
    /// The protocol's rule for sending a password here: [`plaintext_login_allowed`] for IMAP
    /// and POP3 ([`Login::plaintext_rule`]), AUTH only over TLS for SMTP.
    pub secure: bool,
}

impl<'a> Login<'a> {
    /// A login under the IMAP and POP3 rule: a password over TLS, or from loopback.
    pub fn plaintext_rule(
        protocol: Protocol,
        session: &'a str,
        peer: SocketAddr,
        user: &'a str,
        tls: bool,
    ) -> Login<'a> {
        let secure = plaintext_login_allowed(tls, peer.ip());
        Login {
            protocol,
            session,
            peer,
            user,
            secure,
        }
    }
}

/// One login attempt: refused when `login.secure` is false, or while the lockout refuses;
/// otherwise `check` (the password check) runs, counted in the lockout from before it starts,
/// so parallel guesses cannot all pass the check. A refused or failed attempt is logged (the
/// user name sanitized) and emits its typed event (`LoginLocked`, `LoginFailed`): the same
/// log lines and dashboard counts for every protocol.
pub async fn authenticate<A, E: Display>(
    lockout: &Arc<Lockout>,
    login: Login<'_>,
    check: impl Future<Output = Result<Option<A>, E>>,
) -> Outcome<A, E> {
    let Login {
        protocol,
        session,
        peer,
        user,
        secure,
    } = login;
    if !secure {
        return Outcome::PlaintextRefused;
    }
    let attempt = match lockout.begin(peer.ip(), user) {
        Ok(attempt) => attempt,
        Err(locked) => {
            tracing::warn!(session = %session, %peer, user = %sanitize(user), ?locked, "login refused: too many failures");
            event::login_locked(protocol);
            return Outcome::Locked(locked);
        }
    };
    match check.await {
        Ok(Some(account)) => {
            attempt.succeeded();
            Outcome::Ok(account)
        }
        Ok(None) => {
            tokio::time::sleep(attempt.failed()).await;
            tracing::warn!(session = %session, %peer, user = %sanitize(user), "authentication failed");
            event::login_failed(protocol);
            Outcome::BadCredentials
        }
        // Dropped unresolved: a failed check counts as nothing.
        Err(e) => {
            tracing::error!(session = %session, error = %e, "authentication lookup failed");
            Outcome::Failed(e)
        }
    }
}

/// Passwords only over TLS (RFC 9051 §6.2.3, RFC 2595 §2.1, RFC 8314 §3), except from loopback
/// addresses: on this computer nobody else can listen in.
pub fn plaintext_login_allowed(tls: bool, peer: IpAddr) -> bool {
    tls || peer.to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockout::LockoutPolicy;

    fn lockout(per_ip: u32) -> Arc<Lockout> {
        Arc::new(Lockout::new(LockoutPolicy {
            per_ip,
            per_account: 100,
            period: std::time::Duration::from_secs(60),
        }))
    }

    async fn check(password: &str) -> Result<Option<&'static str>, &'static str> {
        match password {
            "right" => Ok(Some("alice")),
            "broken" => Err("store down"),
            _ => Ok(None),
        }
    }

    #[tokio::test]
    async fn a_login_outcome_is_ok_bad_refused_or_locked() {
        let lockout = lockout(2);
        let peer = SocketAddr::from(([192, 0, 2, 7], 143));
        let login = |secure| Login {
            protocol: Protocol::Imap,
            session: "test",
            peer,
            user: "alice",
            secure,
        };
        let out = authenticate(&lockout, login(false), check("right")).await;
        assert!(matches!(out, Outcome::PlaintextRefused), "{out:?}");
        let out = authenticate(&lockout, login(true), check("right")).await;
        assert!(matches!(out, Outcome::Ok("alice")), "{out:?}");
        let out = authenticate(&lockout, login(true), check("broken")).await;
        assert!(matches!(out, Outcome::Failed("store down")), "{out:?}");
        for _ in 0..2 {
            let out = authenticate(&lockout, login(true), check("wrong")).await;
            assert!(matches!(out, Outcome::BadCredentials), "{out:?}");
        }
        // Two failures lock the address: even the right password is refused unchecked.
        let out = authenticate(&lockout, login(true), check("right")).await;
        assert!(matches!(out, Outcome::Locked(Locked::Address)), "{out:?}");
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn passwords_need_tls_except_from_loopback() {
        // (tls, peer, allowed)
        let cases = [
            (false, "192.0.2.1", false),
            (false, "2001:db8::1", false),
            (false, "::ffff:192.0.2.1", false),
            (true, "192.0.2.1", true),
            (true, "2001:db8::1", true),
            (false, "127.0.0.1", true),
            (false, "127.8.9.10", true),
            (false, "::1", true),
            (false, "::ffff:127.0.0.1", true),
        ];
        for (tls, peer, want) in cases {
            assert_eq!(
                plaintext_login_allowed(tls, ip(peer)),
                want,
                "tls {tls} from {peer}"
            );
        }
    }
}
