//! What keeps other web pages in the admin's browser away from the panel:
//!
//! - **Host** (DNS rebinding): a page of `evil.example` whose name is made to resolve to
//!   127.0.0.1 reaches the loopback listener as the same origin as itself, but its requests
//!   say `Host: evil.example`. Only IP literals (which cannot be rebound), `localhost` and the
//!   server's `hostname` are answered; anything else gets 421 (RFC 9110 §15.5.20).
//! - **Origin** (CSRF): a page on another site, or on another port of this computer, may send
//!   the admin's cookie-less or cookie-carrying requests blind. Unsafe methods (RFC 9110
//!   §9.2.1: anything but GET, HEAD, OPTIONS, TRACE) are refused with 403 when the browser
//!   says they come from elsewhere: `Sec-Fetch-Site` other than `same-origin` or `none`, or an
//!   `Origin` other than this listener's own. Clients that are not browsers (the CLI, curl,
//!   scripts with the bearer token) send neither and are let through: a browser always sends
//!   `Origin` on a cross-origin POST, and cannot add the bearer token across sites.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Admin, Https};
use crate::api::{ApiError, codes};

pub(super) async fn guard(State(admin): State<Admin>, request: Request, next: Next) -> Response {
    let https = request
        .extensions()
        .get::<Https>()
        .is_some_and(|Https(on)| *on);
    let hostname = admin.engine().config().hostname.clone();
    match check(request.method(), request.headers(), https, &hostname) {
        Ok(()) => next.run(request).await,
        Err(e) => {
            tracing::warn!(service = "admin", method = %request.method(), path = %request.uri().path(), reason = %e.message, "admin request refused");
            e.into_response()
        }
    }
}

/// Whether a request may go on; the error to answer otherwise.
fn check(
    method: &Method,
    headers: &HeaderMap,
    https: bool,
    hostname: &str,
) -> Result<(), ApiError> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    // RFC 9112 §3.2: a request without Host is answered 400.
    let Some(host) = text(header::HOST) else {
        return Err(ApiError::new(
            codes::INVALID,
            "the request has no Host header",
        ));
    };
    if !host_allowed(host, hostname) {
        return Err(ApiError::new(
            codes::MISDIRECTED,
            format!(
                "this server does not answer to the name {:?}: use its address, localhost or {hostname}",
                host_name(host)
            ),
        ));
    }
    let safe = matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if safe {
        return Ok(());
    }
    let cross_site = || {
        ApiError::new(
            codes::FORBIDDEN,
            "requests from other web sites are refused",
        )
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && site != "same-origin"
        && site != "none"
    {
        return Err(cross_site());
    }
    if let Some(origin) = text(header::ORIGIN) {
        let scheme = if https { "https" } else { "http" };
        if !origin.eq_ignore_ascii_case(&format!("{scheme}://{host}")) {
            return Err(cross_site());
        }
    }
    Ok(())
}

/// The name part of a Host header: without the port, an IPv6 literal without brackets.
fn host_name(host: &str) -> &str {
    if let Some(literal) = host.strip_prefix('[') {
        return literal.split(']').next().unwrap_or(literal);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn host_allowed(host: &str, hostname: &str) -> bool {
    let name = host_name(host.trim()).trim_end_matches('.');
    name.parse::<std::net::IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || (!hostname.is_empty() && name.eq_ignore_ascii_case(hostname.trim_end_matches('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("header value"));
        }
        map
    }

    #[test]
    fn only_ip_literals_localhost_and_the_hostname_are_answered() {
        for host in [
            "127.0.0.1:8088",
            "[::1]:8088",
            "192.0.2.7",
            "localhost:8088",
            "LOCALHOST",
            "mx.example.test",
            "MX.example.test.:443",
        ] {
            assert!(host_allowed(host, "mx.example.test"), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8088",
            "localhost.evil.example",
            "mx.example.test.evil",
            "",
        ] {
            assert!(!host_allowed(host, "mx.example.test"), "{host}");
        }
    }

    #[test]
    fn unsafe_requests_from_other_origins_are_refused() {
        let host = ("host", "127.0.0.1:8088");
        let ok = |h: &[(&'static str, &'static str)]| {
            check(&Method::POST, &headers(h), false, "mx.test")
        };
        // The CLI, curl: neither header.
        assert!(ok(&[host]).is_ok());
        // The panel itself.
        assert!(
            ok(&[
                host,
                ("origin", "http://127.0.0.1:8088"),
                ("sec-fetch-site", "same-origin")
            ])
            .is_ok()
        );
        assert!(ok(&[host, ("sec-fetch-site", "none")]).is_ok());
        // Another port of this computer, another site, a sandboxed page.
        for refused in [
            vec![host, ("origin", "http://127.0.0.1:9999")],
            vec![host, ("origin", "null")],
            vec![host, ("origin", "https://127.0.0.1:8088")],
            vec![host, ("sec-fetch-site", "same-site")],
            vec![
                host,
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://127.0.0.1:8088"),
            ],
        ] {
            let e = ok(&refused).expect_err("refused");
            assert_eq!(e.code, codes::FORBIDDEN, "{refused:?}");
        }
        // Reading is never refused for its origin (the answer is not readable cross-site).
        let get = check(
            &Method::GET,
            &headers(&[host, ("origin", "http://evil.example")]),
            false,
            "mx.test",
        );
        assert!(get.is_ok());
        let rebound = check(
            &Method::GET,
            &headers(&[("host", "evil.example:8088")]),
            false,
            "mx.test",
        );
        assert_eq!(rebound.expect_err("refused").code, codes::MISDIRECTED);
        assert_eq!(
            check(&Method::GET, &HeaderMap::new(), false, "mx.test")
                .expect_err("no host")
                .code,
            codes::INVALID
        );
    }
}
