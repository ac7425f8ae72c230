//! When a client may send a password, and what CAPA announces in each state.

use proto::pop3::{Mechanism, Reply, RespCode};

pub(crate) use net::plaintext_login_allowed as login_allowed;

/// USER (or a login) where a password may not be sent. RFC 3206 §5: [AUTH] covers logins
/// refused by policy, such as without encryption.
pub(crate) fn plaintext_refused() -> Reply {
    Reply::err_code(
        RespCode::Auth,
        "plaintext login is not allowed without TLS; use STLS first",
    )
}

/// The CAPA response lines (RFC 2449 §5, §6) for the session's state.
pub(crate) fn capabilities(logged_in: bool, tls: bool, login_allowed: bool) -> Vec<String> {
    let mut lines = vec![
        "TOP".to_string(),            // RFC 2449 §6.1
        "UIDL".to_string(),           // RFC 2449 §6.7
        "RESP-CODES".to_string(),     // RFC 2449 §6.4
        "AUTH-RESP-CODE".to_string(), // RFC 3206 §6
        "PIPELINING".to_string(),     // RFC 2449 §6.6
    ];
    if !logged_in {
        if login_allowed {
            lines.push("USER".to_string()); // RFC 2449 §6.2
            let names: Vec<&str> = Mechanism::ALL.iter().map(|m| m.name()).collect();
            lines.push(format!("SASL {}", names.join(" "))); // RFC 2449 §6.3, RFC 5034
        }
        if !tls {
            lines.push("STLS".to_string()); // RFC 2595 §4
        }
        // RFC 6856 §2: UTF8 mode, and USER/PASS take UTF-8.
        lines.push("UTF8 USER".to_string());
    }
    lines.push("IMPLEMENTATION Postroom".to_string()); // RFC 2449 §6.9
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logged in, TLS, the peer, capabilities listed, prefixes no capability starts with.
    type Row = (
        bool,
        bool,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );

    #[test]
    fn capa_offers_logins_only_where_a_password_may_be_sent() {
        let cases: [Row; 4] = [
            // A remote client without TLS: no USER, no SASL, only STLS.
            (false, false, "192.0.2.1", &["STLS"], &["USER", "SASL"]),
            // After STLS: logins, and no STLS.
            (
                false,
                true,
                "192.0.2.1",
                &["USER", "SASL PLAIN LOGIN"],
                &["STLS"],
            ),
            // Loopback without TLS: both.
            (false, false, "127.0.0.1", &["USER", "STLS"], &[]),
            // Logged in: no login or STLS capabilities (RFC 2449 §5 lets them differ by state).
            (
                true,
                false,
                "127.0.0.1",
                &["UIDL"],
                &["USER", "STLS", "SASL"],
            ),
        ];
        for (logged_in, tls, peer, listed, absent) in cases {
            let allowed = logged_in || login_allowed(tls, peer.parse().expect("peer"));
            let capa = capabilities(logged_in, tls, allowed);
            let row = format!("logged in {logged_in}, TLS {tls}, {peer}: {capa:?}");
            for name in listed {
                assert!(capa.iter().any(|c| c == name), "{name} missing: {row}");
            }
            for prefix in absent {
                assert!(
                    !capa.iter().any(|c| c.starts_with(prefix)),
                    "{prefix}: {row}"
                );
            }
        }
    }
}
