//! [`ErrorKind`]: what kind of failure a collection job, a dynamic DNS record or an ETRN
//! entry last ran into, for the admin API (`last_error_kind`, `error_kind`). The panel turns
//! a kind into a plain sentence with what to do, in the reader's language, and keeps the
//! English `last_error` text as a detail for support.

use serde::Serialize;

/// The kind of a failure, serialised in snake_case (`"connection_refused"`). New kinds may
/// be added: a client shows the raw error text for a kind it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing listens on the server's port (TCP RST to the SYN).
    ConnectionRefused,
    /// The host name has no address, or the look-up failed.
    HostNotFound,
    /// No route to the network or host: this line or the peer's is down.
    NetworkUnreachable,
    /// The connection was reset or closed in the middle of the session.
    ConnectionLost,
    /// Another network failure.
    Network,
    /// The peer took too long.
    Timeout,
    /// TLS could not be set up, or the certificate did not verify.
    Tls,
    /// The user name, password or API key was refused.
    Auth,
    /// The server refused a command (or greeted with a refusal).
    ServerRefused,
    /// The peer does not speak the protocol as expected.
    Protocol,
    /// A message vanished from the mailbox while it was being fetched.
    Gone,
    /// The local account to deliver to does not exist.
    Account,
    /// Messages over the local size limit were left on the server.
    TooLarge,
    /// The local account is over its storage quota.
    OverQuota,
    /// The local mail store failed.
    Store,
    /// The DNS provider has no such host name or record.
    NoRecord,
    /// The DNS provider blocked the host name (abuse).
    Blocked,
    /// The DNS provider refused the update for another reason (a 4xx answer).
    ProviderRefused,
    /// The DNS provider has a problem on its side (5xx, `911`); retried.
    ProviderError,
    /// Too many requests to the DNS provider; retried later.
    RateLimited,
    /// The backup MX does not offer ETRN (RFC 1985 §3).
    NotAdvertised,
}

impl ErrorKind {
    /// The kind of an I/O error from connecting, reading or writing, by its
    /// [`std::io::ErrorKind`].
    pub fn from_io(e: &std::io::Error) -> ErrorKind {
        use std::io::ErrorKind as Io;
        match e.kind() {
            Io::ConnectionRefused => ErrorKind::ConnectionRefused,
            Io::NetworkUnreachable | Io::HostUnreachable | Io::NetworkDown => {
                ErrorKind::NetworkUnreachable
            }
            Io::ConnectionReset
            | Io::ConnectionAborted
            | Io::BrokenPipe
            | Io::UnexpectedEof
            | Io::NotConnected => ErrorKind::ConnectionLost,
            Io::TimedOut => ErrorKind::Timeout,
            _ => ErrorKind::Network,
        }
    }

    /// The kind of a network failure known only by its text (an error another crate turned
    /// into words: the ETRN session, an HTTP request's error chain). The words matched are
    /// those of the OS error (`strerror`), the resolver and our clients.
    pub fn from_text(text: &str) -> ErrorKind {
        let text = text.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        if has(&["connection refused", "os error 111)"]) {
            ErrorKind::ConnectionRefused
        } else if has(&[
            "network is unreachable",
            "no route to host",
            "host is unreachable",
            "network is down",
        ]) {
            ErrorKind::NetworkUnreachable
        } else if has(&[
            "failed to lookup address",
            "name or service not known",
            "no address",
            "nxdomain",
            "no record found",
            "dns",
            "resolve",
        ]) {
            ErrorKind::HostNotFound
        } else if has(&["timed out", "timeout"]) {
            ErrorKind::Timeout
        } else if has(&["tls", "certificate", "starttls"]) {
            ErrorKind::Tls
        } else if has(&[
            "connection reset",
            "broken pipe",
            "connection lost",
            "closed the connection",
            "connection closed",
            "unexpected eof",
        ]) {
            ErrorKind::ConnectionLost
        } else {
            ErrorKind::Network
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::ErrorKind;

    #[test]
    fn io_errors_are_sorted_by_their_kind_not_their_text() {
        let kind = |k: io::ErrorKind| ErrorKind::from_io(&io::Error::new(k, "whatever"));
        assert_eq!(
            kind(io::ErrorKind::ConnectionRefused),
            ErrorKind::ConnectionRefused
        );
        for unreachable in [
            io::ErrorKind::NetworkUnreachable,
            io::ErrorKind::HostUnreachable,
            io::ErrorKind::NetworkDown,
        ] {
            assert_eq!(kind(unreachable), ErrorKind::NetworkUnreachable);
        }
        for lost in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::BrokenPipe,
            io::ErrorKind::UnexpectedEof,
        ] {
            assert_eq!(kind(lost), ErrorKind::ConnectionLost);
        }
        assert_eq!(kind(io::ErrorKind::TimedOut), ErrorKind::Timeout);
        assert_eq!(kind(io::ErrorKind::PermissionDenied), ErrorKind::Network);
        // The OS's own error: ECONNREFUSED (111 on Linux).
        let refused = io::Error::from_raw_os_error(libc_econnrefused());
        assert_eq!(ErrorKind::from_io(&refused), ErrorKind::ConnectionRefused);
    }

    /// ECONNREFUSED: 111 on Linux, 61 on macOS and the BSDs.
    fn libc_econnrefused() -> i32 {
        if cfg!(target_os = "linux") { 111 } else { 61 }
    }

    #[test]
    fn texts_of_other_crates_errors_are_sorted_too() {
        for (text, kind) in [
            (
                "cannot connect: Connection refused (os error 111)",
                ErrorKind::ConnectionRefused,
            ),
            (
                "cannot connect: Network is unreachable (os error 101)",
                ErrorKind::NetworkUnreachable,
            ),
            (
                "cannot connect: No route to host (os error 113)",
                ErrorKind::NetworkUnreachable,
            ),
            ("the host name has no address", ErrorKind::HostNotFound),
            ("DNS is not set up", ErrorKind::HostNotFound),
            (
                "cannot connect: dns error: failed to lookup address information: Name or service not known",
                ErrorKind::HostNotFound,
            ),
            ("timed out waiting for the greeting", ErrorKind::Timeout),
            (
                "TLS handshake failed: invalid peer certificate: UnknownIssuer",
                ErrorKind::Tls,
            ),
            (
                "connection lost: Connection reset by peer (os error 104)",
                ErrorKind::ConnectionLost,
            ),
            ("something else", ErrorKind::Network),
        ] {
            assert_eq!(ErrorKind::from_text(text), kind, "{text}");
        }
    }

    #[test]
    fn kinds_serialise_in_snake_case() {
        let json = serde_json::to_string(&[ErrorKind::ConnectionRefused, ErrorKind::TooLarge])
            .expect("json");
        assert_eq!(json, r#"["connection_refused","too_large"]"#);
    }
}
