//! When a client may send a password in the clear of the protocol (LOGIN, USER/PASS, AUTH
//! PLAIN/LOGIN): shared by IMAP and POP3 so the rule is the same everywhere.

use std::net::IpAddr;

/// Passwords only over TLS (RFC 9051 §6.2.3, RFC 2595 §2.1, RFC 8314 §3), except from loopback
/// addresses: on this computer nobody else can listen in.
pub fn plaintext_login_allowed(tls: bool, peer: IpAddr) -> bool {
    tls || peer.to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

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
