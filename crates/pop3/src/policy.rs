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

    #[test]
    fn capa_offers_logins_only_where_a_password_may_be_sent() {
        // The third argument is login_allowed's answer for the client (net::login tests it).
        // A remote client without TLS: no USER, no SASL, only STLS.
        let plain_remote = capabilities(false, false, false);
        assert!(plain_remote.contains(&"STLS".to_string()));
        assert!(
            !plain_remote
                .iter()
                .any(|l| l == "USER" || l.starts_with("SASL"))
        );
        // After STLS: logins, and no STLS.
        let tls_remote = capabilities(false, true, true);
        assert!(tls_remote.contains(&"USER".to_string()));
        assert!(tls_remote.contains(&"SASL PLAIN LOGIN".to_string()));
        assert!(!tls_remote.contains(&"STLS".to_string()));
        // Loopback without TLS: both.
        let local = capabilities(false, false, true);
        assert!(local.contains(&"USER".to_string()) && local.contains(&"STLS".to_string()));
        // Logged in: no login or STLS capabilities (RFC 2449 §5 lets them differ by state).
        let logged_in = capabilities(true, false, true);
        assert!(
            !logged_in
                .iter()
                .any(|l| l == "USER" || l == "STLS" || l.starts_with("SASL"))
        );
        assert!(logged_in.contains(&"UIDL".to_string()));
    }
}
