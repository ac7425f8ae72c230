//! When a client may send a password, and what CAPABILITY announces.

pub(crate) use net::plaintext_login_allowed as login_allowed;

/// The CAPABILITY list (RFC 9051 §7.2.2) for the session's state.
pub(crate) fn capabilities(logged_in: bool, tls: bool, login_allowed: bool) -> String {
    let mut caps = vec!["IMAP4rev1", "IMAP4rev2"];
    if !logged_in {
        if !tls {
            caps.push("STARTTLS"); // RFC 9051 §6.2.1
        }
        if login_allowed {
            caps.push("AUTH=PLAIN");
            caps.push("SASL-IR"); // RFC 4959
        } else {
            caps.push("LOGINDISABLED"); // RFC 9051 §6.2.3
        }
    }
    caps.extend([
        "LITERAL+",              // RFC 7888
        "ENABLE",                // RFC 5161
        "ID",                    // RFC 2971
        "IDLE",                  // RFC 2177
        "NAMESPACE",             // RFC 2342
        "UIDPLUS",               // RFC 4315
        "MOVE",                  // RFC 6851
        "UNSELECT",              // RFC 3691
        "SPECIAL-USE",           // RFC 6154
        "ESEARCH",               // RFC 4731
        "UTF8=ACCEPT",           // RFC 6855
        "LIST-EXTENDED",         // RFC 5258
        "LIST-STATUS",           // RFC 5819
        "CREATE-SPECIAL-USE",    // RFC 6154 §3
        "SORT",                  // RFC 5256
        "SORT=DISPLAY",          // RFC 5957
        "ESORT",                 // RFC 5267 §3 (RETURN options of SORT)
        "THREAD=ORDEREDSUBJECT", // RFC 5256 §3
        "THREAD=REFERENCES",     // RFC 5256 §3
        "CONDSTORE",             // RFC 7162 §3.1
        "QRESYNC",               // RFC 7162 §3.2
        "QUOTA",                 // RFC 9208 §3.1 (no QUOTASET: administrators set limits)
        "QUOTA=RES-STORAGE",     // RFC 9208 §5.1
        "STATUS=SIZE",           // RFC 8438 (part of IMAP4rev2's STATUS)
    ]);
    caps.join(" ")
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;

    /// A client on the Internet (RFC 5737 documentation range), and one on this machine.
    const REMOTE: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn logindisabled_is_advertised_to_remote_clients_without_tls() {
        // A remote client without TLS: LOGINDISABLED and STARTTLS, no AUTH=PLAIN.
        let remote = capabilities(false, false, login_allowed(false, REMOTE));
        assert!(remote.contains("LOGINDISABLED") && remote.contains("STARTTLS"));
        assert!(!remote.contains("AUTH=PLAIN"));
        // After STARTTLS: AUTH=PLAIN, no LOGINDISABLED, no STARTTLS.
        let tls = capabilities(false, true, login_allowed(true, REMOTE));
        assert!(tls.contains("AUTH=PLAIN") && !tls.contains("LOGINDISABLED"));
        assert!(!tls.contains("STARTTLS"));
        // Loopback without TLS: logins allowed.
        let local = capabilities(false, false, login_allowed(false, LOCAL));
        assert!(local.contains("AUTH=PLAIN") && !local.contains("LOGINDISABLED"));
        // Logged in: no login capabilities.
        let authed = capabilities(true, false, true);
        assert!(!authed.contains("AUTH=") && !authed.contains("STARTTLS"));
        assert!(authed.contains("IDLE") && authed.contains("MOVE"));
    }
}
