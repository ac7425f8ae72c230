//! [`Failure`]: a failed update, fatal or temporary, and its [`ErrorKind`] for the record's
//! status (`last_error_kind`): from the provider's own code where the message carries one
//! (dyndns2's result word, DNSPod's and Alibaba Cloud's error codes), then the HTTP status,
//! then the transport failure (`crate::http_error`'s "timed out" / "cannot connect" and the
//! OS error in its chain). The kinds themselves, and the classification of I/O errors every
//! service shares, are in `crate::error_kind`.

use crate::ErrorKind;

/// A failed update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Retrying cannot help (credentials, unknown record, abuse): wait for a config change.
    Fatal(String),
    /// Worth retrying later (server error, timeout, rate limit).
    Temporary(String),
}

/// Error codes (or their first part) of the record APIs that mean bad credentials.
const AUTH_CODES: [&str; 6] = [
    "AuthFailure",
    "UnauthorizedOperation",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "Forbidden",
];

/// Codes and our own messages that mean the name or record does not exist.
const NO_RECORD: [&str; 5] = [
    "ResourceNotFound",
    "DomainRecordNotBelongToUser",
    "InvalidDomainName",
    "is not in the zone",
    "there is no ",
];

/// Codes that mean too many requests.
const RATE_CODES: [&str; 3] = ["Throttling", "LimitExceeded", "RequestLimitExceeded"];

impl Failure {
    /// What kind of failure this is.
    pub(crate) fn kind(&self) -> ErrorKind {
        let (fatal, text) = match self {
            Failure::Fatal(text) => (true, text.as_str()),
            Failure::Temporary(text) => (false, text.as_str()),
        };
        // dyndns2: "code: explanation" (dyn.com's return codes).
        match text.split(':').next().unwrap_or_default().trim() {
            "badauth" => return ErrorKind::Auth,
            "nohost" | "notfqdn" | "!yours" => return ErrorKind::NoRecord,
            "abuse" => return ErrorKind::Blocked,
            "911" | "dnserr" => return ErrorKind::ProviderError,
            "!donator" | "numhost" | "badagent" => return ErrorKind::ProviderRefused,
            _ => {}
        }
        if text.starts_with("timed out") {
            return ErrorKind::Timeout;
        }
        if text.starts_with("cannot connect") || text.starts_with("request failed") {
            return ErrorKind::from_text(text);
        }
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        if has(&AUTH_CODES) {
            return ErrorKind::Auth;
        }
        if has(&NO_RECORD) {
            return ErrorKind::NoRecord;
        }
        if has(&RATE_CODES) {
            return ErrorKind::RateLimited;
        }
        if has(&["the answer is not JSON", "unexpected answer"]) {
            return ErrorKind::Protocol;
        }
        match http_status(text) {
            Some(401 | 403) => ErrorKind::Auth,
            Some(404) => ErrorKind::NoRecord,
            Some(408) => ErrorKind::Timeout,
            Some(429) => ErrorKind::RateLimited,
            Some(500..=599) => ErrorKind::ProviderError,
            _ if fatal => ErrorKind::ProviderRefused,
            _ => ErrorKind::ProviderError,
        }
    }
}

/// The status in "...: HTTP 503: ..." (`Answer::status_failure` and the providers).
fn http_status(text: &str) -> Option<u16> {
    let (_, after) = text.split_once("HTTP ")?;
    after.get(..3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::super::http::Answer;
    use super::{ErrorKind, Failure};

    fn fatal(text: &str) -> ErrorKind {
        Failure::Fatal(text.to_string()).kind()
    }

    fn temporary(text: &str) -> ErrorKind {
        Failure::Temporary(text.to_string()).kind()
    }

    #[test]
    fn dyndns2_answers_have_their_kind() {
        let cases = [
            (
                "badauth: the user name or password is wrong",
                ErrorKind::Auth,
            ),
            (
                "badauth: the user name or password is wrong (HTTP 401)",
                ErrorKind::Auth,
            ),
            (
                "nohost: the host name does not exist in this account",
                ErrorKind::NoRecord,
            ),
            (
                "notfqdn: the host name is not a fully qualified domain name",
                ErrorKind::NoRecord,
            ),
            (
                "abuse: the host name is blocked for abuse",
                ErrorKind::Blocked,
            ),
            (
                "badagent: the provider refused this client",
                ErrorKind::ProviderRefused,
            ),
            ("no endpoint is set", ErrorKind::ProviderRefused),
        ];
        for (text, kind) in cases {
            assert_eq!(fatal(text), kind, "{text}");
        }
        assert_eq!(
            temporary("911: the provider has a problem on its side"),
            ErrorKind::ProviderError
        );
        assert_eq!(temporary("unexpected answer: <html>"), ErrorKind::Protocol);
    }

    #[test]
    fn http_statuses_and_api_codes_have_their_kind() {
        let answer = |status: u16| Answer {
            status: StatusCode::from_u16(status).expect("status"),
            body: "no".into(),
        };
        for (status, kind) in [
            (401, ErrorKind::Auth),
            (403, ErrorKind::Auth),
            (404, ErrorKind::NoRecord),
            (429, ErrorKind::RateLimited),
            (502, ErrorKind::ProviderError),
            (400, ErrorKind::ProviderRefused),
        ] {
            assert_eq!(
                answer(status).status_failure("update").kind(),
                kind,
                "{status}"
            );
        }
        // DNSPod ("action: code: message") and Alibaba Cloud ("action: HTTP n: code: message").
        let cases = [
            (
                "DescribeRecordList: AuthFailure.SignatureFailure: bad",
                ErrorKind::Auth,
            ),
            (
                "UpdateDomainRecord: HTTP 404: InvalidAccessKeyId.NotFound: x",
                ErrorKind::Auth,
            ),
            (
                "ModifyRecord: ResourceNotFound.NoDataOfDomain: x",
                ErrorKind::NoRecord,
            ),
            (
                "there is no A record named mail.example.cn: create it once",
                ErrorKind::NoRecord,
            ),
            (
                "mail.other.cn is not in the zone example.cn",
                ErrorKind::NoRecord,
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(fatal(text), kind, "{text}");
        }
        assert_eq!(
            temporary("ModifyRecord: HTTP 400: Throttling.User: slow down"),
            ErrorKind::RateLimited
        );
        assert_eq!(
            temporary("update: the answer is not JSON: <html>"),
            ErrorKind::Protocol
        );
    }

    #[test]
    fn transport_failures_have_their_kind() {
        let cases = [
            ("timed out: operation timed out", ErrorKind::Timeout),
            (
                "cannot connect: client error (Connect): tcp connect error: Connection refused (os error 111)",
                ErrorKind::ConnectionRefused,
            ),
            (
                "cannot connect: client error (Connect): dns error: failed to lookup address information: Name or service not known",
                ErrorKind::HostNotFound,
            ),
            (
                "request failed: connection closed before message completed",
                ErrorKind::ConnectionLost,
            ),
        ];
        for (text, kind) in cases {
            assert_eq!(temporary(text), kind, "{text}");
        }
    }
}
